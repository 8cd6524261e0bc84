from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Before-reset reports: Student Data Export, Student Progress reports, year-end archive."""

    name = "yearend.reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        try:
            from yearend.resets.hooks import register_snapshot_hook
        except ImportError:  # the reset engine is not installed: no archive hook
            return
        from yearend.reports.archive import snapshot_hook

        register_snapshot_hook(snapshot_hook)
