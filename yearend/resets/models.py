"""A reset run: the persisted state machine that operations and districts can read.

The database is the source of truth for progress. Every step is idempotent and every
transition is a conditional update, so a worker killed at any moment, a task delivered
twice or two machines advancing the same run all converge on the same end state.
"""

from django.db import models
from django.db.models import Q

from yearend.tenancy import ResetPolicy, TenantModel


class Step(models.TextChoices):
    CLAIM = "claim", "Claim"
    PAUSE = "pause", "Pause roster syncs"
    SNAPSHOT = "snapshot", "Freeze the year-end archive"
    CUTOVER = "cutover", "Cut over to the new school year"
    PURGE = "purge", "Delete student data"
    VERIFY = "verify", "Verify nothing is left"
    CERTIFY = "certify", "Issue the deletion certificate"
    RESUME = "resume", "Resume roster syncs"
    DONE = "done", "Done"


STEP_ORDER = [s.value for s in Step]


class Status(models.TextChoices):
    RUNNING = "running", "Running"
    FAILED = "failed", "Failed"
    SUCCEEDED = "succeeded", "Succeeded"


class ResetRun(TenantModel):
    """One reset of one organization in one cycle. At most one per (organization, cycle)."""

    reset_policy = ResetPolicy.RETAIN

    cycle = models.ForeignKey("resetdates.ResetCycle", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    step = models.CharField(max_length=10, choices=Step.choices, default=Step.PAUSE)
    started_by = models.CharField(max_length=150, default="system")
    via = models.CharField(max_length=10, default="system")
    reset_date = models.DateField(null=True, blank=True)
    started_at = models.DateTimeField()
    step_started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The process last heard from moving the run (host:pid), and since when it has been.
    driver = models.CharField(max_length=100, blank=True, default="")
    driver_since = models.DateTimeField(null=True, blank=True)
    cut_over_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Rows of student epochs below this one are the old school year: the purge's target.
    cutover_epoch = models.PositiveIntegerField(null=True, blank=True)
    # What the preview counted when the run was claimed (delete and retain).
    preview = models.JSONField(default=dict, blank=True)
    # Rows to delete, counted once right after the cut-over (nothing changes them then).
    counts = models.JSONField(default=dict, blank=True)
    verification = models.JSONField(default=dict, blank=True)
    certificate = models.JSONField(default=dict, blank=True)
    certificate_json_path = models.CharField(max_length=500, blank=True, default="")
    certificate_pdf_path = models.CharField(max_length=500, blank=True, default="")
    error = models.TextField(blank=True, default="")
    failed_step = models.CharField(max_length=10, blank=True, default="")
    attempts = models.PositiveIntegerField(default=1)
    log = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            # The database, not the code, guarantees one reset per organization per cycle.
            models.UniqueConstraint(fields=["organization", "cycle"], name="one_reset_per_cycle"),
            models.CheckConstraint(
                condition=Q(status__in=["running", "failed", "succeeded"]),
                name="reset_run_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="reset_run_status")]

    def __str__(self) -> str:
        return f"reset run {self.pk} of {self.organization_id} ({self.status}, {self.step})"


class SchoolPurge(TenantModel):
    """Progress of one part of a run's purge; updated in each batch's transaction.

    A part is one school where the database lets the schools be purged concurrently, or
    the whole organization in one pass (no school) where it does not: see
    ``purge.schools_purge_concurrently``.
    """

    reset_policy = ResetPolicy.RETAIN

    run = models.ForeignKey(ResetRun, on_delete=models.CASCADE, related_name="school_purges")
    school = models.ForeignKey(
        "organizations.School", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    done = models.BooleanField(default=False)
    batches = models.PositiveIntegerField(default=0)
    deleted = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "run", "school"], name="school_purge_once"
            ),
            # NULLs are distinct in the constraint above: one organization-wide part per run.
            models.UniqueConstraint(
                fields=["organization", "run"],
                condition=Q(school__isnull=True),
                name="organization_purge_once",
            ),
        ]

    @property
    def name(self) -> str:
        """What the progress pages call this part."""
        return self.school.name if self.school_id else "All schools, in one pass"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a second approver"
    APPROVED = "approved", "Approved and started"
    REJECTED = "rejected", "Rejected"


class OffScheduleRequest(TenantModel):
    """An operations user's request to reset an organization now, outside its date.

    It starts nothing by itself: a second operations user must approve it. The database
    keeps the two-person rule (the approver is never the requester), allows one open
    request per organization, and lets exactly one approval turn it into one run.
    """

    reset_policy = ResetPolicy.RETAIN

    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    reason = models.TextField()
    requested_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        "people.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, default="")
    run = models.OneToOneField(
        ResetRun, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["organization", "status"], name="offschedule_org_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(status="pending"),
                name="offschedule_one_open_per_org",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected"]),
                name="offschedule_status_valid",
            ),
            # Two people: whoever approves was not the one who asked.
            models.CheckConstraint(
                condition=~Q(status="approved") | ~Q(decided_by=models.F("requested_by")),
                name="offschedule_two_people",
            ),
            models.CheckConstraint(
                condition=Q(status="pending")
                | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="offschedule_decision_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"off-schedule request {self.pk} of {self.organization_id} ({self.status})"
