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
