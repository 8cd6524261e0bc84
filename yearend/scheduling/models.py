from django.db import models


class PeriodicSlot(models.Model):
    """One periodic job's one time slot, claimed by the scheduler that enqueued it."""

    job = models.CharField(max_length=100)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="one_enqueue_per_slot")]
        indexes = [models.Index(fields=["enqueued_at"], name="periodic_slot_age")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"


class SchedulerHeartbeat(models.Model):
    """When each scheduler process last ticked (for /healthz and operations)."""

    name = models.CharField(max_length=100, unique=True)
    last_tick_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
