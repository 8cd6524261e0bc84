from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The web portal."""

    name = "yearend.portal"
    default_auto_field = "django.db.models.BigAutoField"
