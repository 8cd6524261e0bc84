from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Before-reset reports: Student Data Export, Student Progress reports, year-end archive.

    The reset engine finds this app's hooks itself (``reset_hooks.py``): nothing to wire here."""

    name = "yearend.reports"
    default_auto_field = "django.db.models.BigAutoField"
