"""The kinds of notice, who may turn each off, and how each is labelled."""

from __future__ import annotations

from django.db import models


class NoticeKind(models.TextChoices):
    DATE_ASSIGNED = "date_assigned", "Reset date assigned"
    DATE_CHANGED = "date_changed", "Reset date changed"
    REMINDER = "reminder", "Reminders 30, 14, 7 and 1 days before the reset"
    PRINT_REPORTS = "print_reports", "Reminder to print progress reports"
    RESET_COMPLETED = "reset_completed", "Reset completed"
    IMPORT_HELD = "import_held", "Roster import held for review"
    OPS_RESET_FAILED = "ops_reset_failed", "Operations: a reset step failed"
    OPS_RESET_NOT_STARTED = "ops_reset_not_started", "Operations: a due reset has not started"
    OPS_SYNCS_PAUSED = "ops_syncs_paused", "Operations: syncs still paused after a reset"


# What operations must hear whatever anyone prefers: a failure nobody reads is a failure
# that stays. Everything else can be turned off by its recipient.
MANDATORY_KINDS = frozenset(
    {
        NoticeKind.OPS_RESET_FAILED,
        NoticeKind.OPS_RESET_NOT_STARTED,
        NoticeKind.OPS_SYNCS_PAUSED,
    }
)
OPTIONAL_KINDS = tuple(kind for kind in NoticeKind if kind not in MANDATORY_KINDS)

# Kinds planned against a reset date: a changed date re-plans them.
REMINDER_KINDS = frozenset({NoticeKind.REMINDER, NoticeKind.PRINT_REPORTS})

# Days before the reset on which district administrators are reminded.
REMINDER_DAYS = (30, 14, 7, 1)
PRINT_REPORTS_DAYS = 14
