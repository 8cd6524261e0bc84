from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Before-reset reports: Student Data Export, Student Progress reports, year-end archive."""

    name = "yearend.reports"
    default_auto_field = "django.db.models.BigAutoField"
