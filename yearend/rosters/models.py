from django.db import models

from yearend.tenancy import ResetPolicy, TenantModel


class SyncState(TenantModel):
    """Whether an organization's roster syncs may run, and whether one is running now.

    Two independent pauses: one an administrator sets by hand ("manual") and one the
    reset engine sets for the length of a reset ("reset"). Resuming after a reset lifts
    only the reset's pause, so a sync an administrator paused stays paused.

    ``import_started_at`` is the running import's claim, taken and released with
    conditional updates so an import and a reset's pause can never both win.
    """

    reset_policy = ResetPolicy.RETAIN

    manual_paused_at = models.DateTimeField(null=True, blank=True)
    manual_paused_by = models.CharField(max_length=150, blank=True, default="")
    manual_pause_note = models.TextField(blank=True, default="")
    reset_paused_at = models.DateTimeField(null=True, blank=True)
    reset_run_id = models.BigIntegerField(null=True, blank=True)
    import_started_at = models.DateTimeField(null=True, blank=True)
    import_token = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="one_sync_state_per_org")
        ]

    @property
    def is_paused(self) -> bool:
        return self.manual_paused_at is not None or self.reset_paused_at is not None


class ImportSettings(TenantModel):
    """An organization's safety thresholds for bulk imports (DESIGN rule 12)."""

    reset_policy = ResetPolicy.RETAIN

    max_removed_percent = models.PositiveSmallIntegerField(default=10)
    max_changed_percent = models.PositiveSmallIntegerField(default=75)

    class Meta:
        verbose_name_plural = "import settings"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="one_import_settings_per_org")
        ]


class SyncSource(TenantModel):
    """A drop folder an organization's SIS writes OneRoster bundles into."""

    reset_policy = ResetPolicy.RETAIN

    name = models.CharField(max_length=100, blank=True, default="")
    folder = models.CharField(max_length=500)
    enabled = models.BooleanField(default=True)
    # How often the drop folder is looked at; the worker's tick (5 minutes) is the finest.
    check_every_minutes = models.PositiveIntegerField(default=5)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_digest = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="one_sync_source_per_org")
        ]

    def __str__(self) -> str:
        return self.folder


class ImportRun(TenantModel):
    """One roster import: what it was asked to do, what it did, and why."""

    reset_policy = ResetPolicy.RETAIN

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        APPLIED = "applied", "Applied"
        WOULD_APPLY = "would_apply", "Would apply (dry run)"
        REFUSED = "refused", "Refused"
        HELD = "held", "Held for review"
        SKIPPED = "skipped", "Skipped: syncs paused"
        UNCHANGED = "unchanged", "Skipped: bundle already imported"

    class Source(models.TextChoices):
        UPLOAD = "upload", "Upload"
        SYNC = "sync", "Automated sync"
        APPROVAL = "approval", "Approved hold"

    source = models.CharField(max_length=10, choices=Source.choices)
    path = models.CharField(max_length=500, blank=True, default="")
    digest = models.CharField(max_length=64, blank=True, default="")
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    school_year = models.CharField(max_length=4, blank=True, default="")
    student_epoch = models.PositiveIntegerField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    notices = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True, default="")
    started_by = models.CharField(max_length=150, blank=True, default="")
    # What an applied full snapshot left in the database (``fingerprint.py``): a re-import
    # of the same bundle that finds the same fingerprint has nothing to change.
    fingerprint = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["organization", "status", "started_at"], name="import_run_org")
        ]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.status})"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    def as_dict(self) -> dict:
        return {
            "id": self.pk,
            "organization": self.organization.site_code,
            "source": self.source,
            "path": self.path,
            "dry_run": self.dry_run,
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "duration_seconds": self.duration_seconds,
            "school_year": self.school_year or None,
            "counts": self.counts,
            "errors": self.errors,
            "notices": self.notices,
            "message": self.message,
        }


class HeldImport(TenantModel):
    """A bulk import held for an administrator's review, with the bundle it would apply."""

    reset_policy = ResetPolicy.RETAIN

    class Decision(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPROVED = "approved", "Approved and applied"
        DISCARDED = "discarded", "Discarded"

    run = models.OneToOneField(ImportRun, on_delete=models.CASCADE, related_name="hold")
    reasons = models.JSONField(default=list)
    preview = models.JSONField(default=dict)
    # The whole .zip, as holds were stored before HeldBundlePart: still read for those
    # rows, empty for every hold stored since (``held_bundles.py``).
    bundle = models.BinaryField()
    digest = models.CharField(max_length=64)
    decision = models.CharField(max_length=10, choices=Decision.choices, default="pending")
    decided_by = models.CharField(max_length=150, blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "decision"], name="held_import_org")]

    def __str__(self) -> str:
        return f"held import {self.pk} ({self.decision})"


class HeldBundlePart(TenantModel):
    """One piece (at most ``held_bundles.PART_BYTES``) of a held import's .zip, in order.

    The bundle is kept in the database, not on a disk, because the worker that holds an
    import and the web process that approves it may run on different machines; in pieces,
    so neither side ever has the whole bundle in memory.
    """

    reset_policy = ResetPolicy.RETAIN  # as its HeldImport's

    held = models.ForeignKey(
        HeldImport, on_delete=models.CASCADE, related_name="parts", db_index=False
    )
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            # Also the index of "the parts of one hold, in order" (and of the cascade).
            models.UniqueConstraint(fields=["held", "seq"], name="held_bundle_part_once")
        ]
        indexes = [models.Index(fields=["organization", "held"], name="held_bundle_part_org")]

    def __str__(self) -> str:
        return f"part {self.seq} of held import {self.held_id}"
