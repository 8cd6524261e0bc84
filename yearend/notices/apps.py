from django.apps import AppConfig


class NoticesConfig(AppConfig):
    """Notices: reminders, confirmations and alerts."""

    name = "yearend.notices"
    default_auto_field = "django.db.models.BigAutoField"
