from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Audit trail: one row for every write that matters, in the same transaction."""

    name = "yearend.audit"
    default_auto_field = "django.db.models.BigAutoField"
