"""Every kind of audit row, as one typed list (as Zulip's ``AuditLogEventType``).

Services write rows with these constants only, so a reader can find every place an action
is recorded, and a typo is an AttributeError instead of a row nobody ever finds. The
values are the strings stored in ``AuditEvent.action``; they never change once written.

The trail is for people (operations, auditors): no rule of the product is decided by
reading it. An app that needs a fact asks that app's selectors.
"""

from __future__ import annotations

from django.db import models


class AuditAction(models.TextChoices):
    # organizations and people
    ORGANIZATION_CREATE = "organization.create", "Organization created"
    SCHOOL_CREATE = "school.create", "School created"
    SCHOOL_DAYS_SET = "organization.school_days_set", "School days set"
    USER_CREATE = "user.create", "Account created"
    EDUCATORS_REMOVE = "educators.remove", "Educators removed"
    SSO_PROVIDER_SET = "sso.provider_set", "Sign-in provider set"
    # reset dates
    CYCLE_CREATE = "resetdates.cycle_create", "Reset cycle created"
    DEFAULTS_ASSIGN = "resetdates.assign_defaults", "Default reset dates assigned"
    DATE_SET = "resetdates.date_set", "Reset date set"
    DATE_LOCK = "resetdates.date_lock", "Reset date locked"
    # rosters and syncs
    ROSTER_IMPORT = "roster.import", "Roster imported"
    ROSTER_HOLD_APPROVE = "roster.hold.approve", "Held roster approved"
    ROSTER_HOLD_DISCARD = "roster.hold.discard", "Held roster discarded"
    ROSTER_SOURCE_CREATE = "roster.source.create", "Roster source added"
    ROSTER_SOURCE_DELETE = "roster.source.delete", "Roster source removed"
    SYNC_PAUSE = "sync.pause", "Roster syncs paused"
    SYNC_RESUME = "sync.resume", "Roster syncs resumed"
    # the reset
    RESET_START = "reset.start", "Reset started"
    RESET_RESUME = "reset.resume", "Reset resumed"
    RESET_FAILED = "reset.failed", "Reset failed"
    RESET_CUTOVER = "reset.cutover", "Cut over to the new school year"
    RESET_PAUSE_DONE = "reset.pause", "Reset step done: pause roster syncs"
    RESET_SNAPSHOT_DONE = "reset.snapshot", "Reset step done: freeze the year-end archive"
    RESET_PURGE_DONE = "reset.purge", "Reset step done: delete student data"
    RESET_VERIFY_DONE = "reset.verify", "Reset step done: verify nothing is left"
    RESET_CERTIFY_DONE = "reset.certify", "Reset step done: issue the certificate"
    RESET_RESUME_DONE = "reset.resume_syncs", "Reset step done: resume roster syncs"
    OFFSCHEDULE_REQUEST = "reset.offschedule.request", "Off-schedule reset requested"
    OFFSCHEDULE_APPROVE = "reset.offschedule.approve", "Off-schedule reset approved"
    OFFSCHEDULE_REJECT = "reset.offschedule.reject", "Off-schedule reset rejected"
    CERTIFICATE_DOWNLOADED = "reset.certificate_downloaded", "Deletion certificate downloaded"
    # reports
    EXPORT_REQUESTED = "reports.export_requested", "Student Data Export requested"
    EXPORT_FINISHED = "reports.export_finished", "Student Data Export finished"
    EXPORT_WRITTEN = "reports.export_written", "Student Data Export written by command"
    EXPORT_DOWNLOADED = "reports.export_downloaded", "Student Data Export downloaded"
    PROGRESS_REPORTS_WRITTEN = "reports.progress_reports_written", "Progress reports written"
    PROGRESS_REPORTS_DOWNLOADED = (
        "reports.progress_reports_downloaded",
        "Progress reports downloaded",
    )
    RETENTION_CHANGED = "reports.retention_changed", "Archive retention changed"
    ARCHIVE_FROZEN = "reports.archive_frozen", "Year-end archive frozen"
    ARCHIVE_DESTROYED = "reports.archive_destroyed", "Year-end archive destroyed"
    ARCHIVE_DOWNLOADED = "reports.archive_downloaded", "Year-end archive downloaded"
    # notices and the API
    NOTICES_RECORDED = "notices.recorded", "Notices recorded"
    NOTICE_PREFERENCES_CHANGED = "notices.preferences_changed", "Notice preferences changed"
    API_TOKEN_CREATE = "api.token_create", "API token created"
    API_TOKEN_REVOKE = "api.token_revoke", "API token revoked"
    API_ROSTER_UPLOAD = "api.roster_upload", "Roster uploaded through the API"

    @classmethod
    def reset_step_done(cls, step: str) -> AuditAction:
        """The row a reset writes when ``step`` is done."""
        return _STEP_DONE[step]


# "reset.resume" already means an operator resumed a failed run, so the last step's row
# has a name of its own.
_STEP_DONE = {
    "pause": AuditAction.RESET_PAUSE_DONE,
    "snapshot": AuditAction.RESET_SNAPSHOT_DONE,
    "cutover": AuditAction.RESET_CUTOVER,
    "purge": AuditAction.RESET_PURGE_DONE,
    "verify": AuditAction.RESET_VERIFY_DONE,
    "certify": AuditAction.RESET_CERTIFY_DONE,
    "resume": AuditAction.RESET_RESUME_DONE,
}
