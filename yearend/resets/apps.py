from django.apps import AppConfig


class ResetsConfig(AppConfig):
    """Reset engine: preview, run, verify, certify."""

    name = "yearend.resets"
    default_auto_field = "django.db.models.BigAutoField"
