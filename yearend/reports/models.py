"""Export jobs, progress-report prints, the year-end archive and each organization's
retention setting.

All are kept across resets (RETAIN): an export job row, a print and an archive row hold no
student data themselves, only where the file is, when it went and to whom. The archive file is the
only student data that outlives a reset, and only for the organization's retention period.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from yearend.audit.models import Via
from yearend.tenancy import ResetPolicy, TenantModel


class ReportSettings(TenantModel):
    """Per-organization report settings. Missing row: the defaults."""

    reset_policy = ResetPolicy.RETAIN

    DEFAULT_ARCHIVE_RETENTION_DAYS = 30

    archive_retention_days = models.PositiveSmallIntegerField(
        default=DEFAULT_ARCHIVE_RETENTION_DAYS,
        help_text="Days the year-end archive is kept after a reset; 0 keeps no archive.",
    )

    class Meta:
        verbose_name_plural = "report settings"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="report_settings_once")
        ]


class Format(models.TextChoices):
    XLSX = "xlsx", "Excel workbook (.xlsx)"
    CSV = "csv", "CSV"


class ExportJob(TenantModel):
    """One Student Data Export, run in the background; the file is deleted at ``expires_at``."""

    reset_policy = ResetPolicy.RETAIN

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired (file deleted)"

    school = models.ForeignKey(
        "organizations.School", on_delete=models.PROTECT, null=True, blank=True
    )
    # SET_NULL: removing an educator who once exported must not be blocked by the job row.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    format = models.CharField(max_length=4, choices=Format.choices, default=Format.XLSX)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    # Relative to MEDIA_ROOT.
    file_name = models.CharField(max_length=300, blank=True, default="")
    error = models.TextField(blank=True, default="")
    # [{"at": iso time, "message": text}, ...] for whoever watches the job.
    log = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # When the file was first downloaded: reminders before the reset ask until someone has.
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "created_at"], name="export_org_created"),
            models.Index(fields=["expires_at"], name="export_expiring", condition=Q(status="done")),
        ]

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0


class ProgressReportPrint(TenantModel):
    """Student Progress reports printed (the portal, the API or the command): the
    checklist before a reset says they were printed from these rows."""

    reset_policy = ResetPolicy.RETAIN

    # None: the whole organization, or a class or student of any school.
    school = models.ForeignKey(
        "organizations.School", on_delete=models.PROTECT, null=True, blank=True
    )
    printed_at = models.DateTimeField(default=timezone.now)
    via = models.CharField(max_length=10, choices=Via.choices)
    # SET_NULL: as for an export's requester, a removed educator does not block the row.
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["organization", "printed_at"], name="progress_print_org_at")
        ]


class YearEndArchive(TenantModel):
    """A frozen Student Data Export of an organization's final state before its reset."""

    reset_policy = ResetPolicy.RETAIN

    reset_run_id = models.BigIntegerField()
    cycle_label = models.CharField(max_length=100, blank=True, default="")
    retention_days = models.PositiveSmallIntegerField()
    file_name = models.CharField(max_length=300, blank=True, default="")
    rows = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # The snapshot hook may run again when a reset resumes: one archive per run.
            models.UniqueConstraint(
                fields=["organization", "reset_run_id"], name="one_archive_per_reset"
            )
        ]
        indexes = [
            models.Index(
                fields=["expires_at"], name="archive_expiring", condition=Q(destroyed_at=None)
            )
        ]

    @property
    def kept(self) -> bool:
        return bool(self.file_name) and self.destroyed_at is None
