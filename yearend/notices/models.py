"""Notices: one row per notice per recipient, recorded before it is sent.

The row is the claim. Its unique key (organization, kind, recipient, subject_key) makes
a second pass, a second worker or a replay insert nothing new, so a notice is planned
once; delivery then moves it PENDING -> SENDING -> SENT with conditional updates, so
only one worker sends it. The subject and bodies are rendered when the row is recorded:
what the portal shows is what the mail said, and a retry sends the very same text.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from yearend.notices.kinds import NoticeKind
from yearend.tenancy import ResetPolicy, TenantModel


class Delivery(models.TextChoices):
    PENDING = "pending", "Recorded, not sent yet"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    NO_EMAIL = "no_email", "Shown in the portal only (no email address)"
    FAILED = "failed", "Sending failed"
    INTERRUPTED = "interrupted", "Sender stopped while sending (not resent)"
    CANCELLED = "cancelled", "Cancelled (the reset date changed)"


class Notice(TenantModel):
    """A notice to one person about one organization."""

    # Notices are about educators and schedules, never student data: kept across resets.
    reset_policy = ResetPolicy.RETAIN

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=30, choices=NoticeKind.choices)
    # What the notice is about, e.g. "change:17" or "reminder:4:2024:2024-08-02:30".
    subject_key = models.CharField(max_length=120)
    # The reset date a reminder was planned for; a different date cancels it unsent.
    planned_for = models.DateField(null=True, blank=True)
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField()
    link = models.CharField(max_length=500, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    delivery = models.CharField(max_length=12, choices=Delivery.choices, default=Delivery.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    send_claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "recipient", "subject_key"],
                name="notice_once_per_recipient",
            ),
            models.CheckConstraint(
                condition=Q(delivery__in=[d.value for d in Delivery]),
                name="notice_delivery_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "created_at"], name="notice_inbox"),
            models.Index(
                fields=["recipient"], name="notice_unread", condition=Q(read_at__isnull=True)
            ),
            models.Index(fields=["kind", "subject_key"], name="notice_planned"),
            # The delivery loop reads only what is still to send: a small partial index.
            models.Index(
                fields=["delivery", "send_claimed_at"],
                name="notice_to_send",
                condition=Q(delivery__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} ({self.delivery})"


class NoticeOptOut(models.Model):
    """A person turned off one optional kind of notice. No row: they get it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_opt_outs"
    )
    kind = models.CharField(max_length=30, choices=NoticeKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notice_opt_out_once")]

    def __str__(self) -> str:
        return f"{self.user_id} turned off {self.kind}"
