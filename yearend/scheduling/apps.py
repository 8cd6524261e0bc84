from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    """The scheduler that enqueues periodic jobs (see periodic.py and scheduler.py)."""

    name = "yearend.scheduling"
    default_auto_field = "django.db.models.BigAutoField"
