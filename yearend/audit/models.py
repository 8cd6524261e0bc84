from django.conf import settings
from django.db import models

from yearend.audit.actions import AuditAction
from yearend.tenancy import ResetPolicy


class Via(models.TextChoices):
    PORTAL = "portal", "Portal"
    API = "api", "API"
    COMMAND = "command", "Command line"
    SYSTEM = "system", "System"


class AuditEvent(models.Model):
    """Who did what, to which organization, through what. Append-only; survives resets.

    Never holds student personal data: details carry ids and counts only.
    """

    reset_policy = ResetPolicy.RETAIN

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept as text too, so the trail still names the actor after the account is removed.
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=80, choices=AuditAction.choices)
    via = models.CharField(max_length=10, choices=Via.choices)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organization", "at"], name="audit_org_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
