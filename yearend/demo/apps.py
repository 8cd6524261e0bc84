from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for laptops and benchmarks."""

    name = "yearend.demo"
    default_auto_field = "django.db.models.BigAutoField"
