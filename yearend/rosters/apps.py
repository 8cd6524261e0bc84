from django.apps import AppConfig


class RostersConfig(AppConfig):
    """Roster import: OneRoster CSV bundles and automated syncs."""

    name = "yearend.rosters"
    default_auto_field = "django.db.models.BigAutoField"
