from django.apps import AppConfig


class ResetdatesConfig(AppConfig):
    """Reset calendar: cycles, default dates, date changes and their history."""

    name = "yearend.resetdates"
    default_auto_field = "django.db.models.BigAutoField"
