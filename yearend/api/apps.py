from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API."""

    name = "yearend.api"
    default_auto_field = "django.db.models.BigAutoField"
