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


class WorkSlot(models.Model):
    """One of a fixed number of places for concurrent work in a scope (slots.py; the reset
    engine's limits, yearend/resets/dispatch.py). Whoever changes ``holder`` with a
    conditional update owns the slot: the database, not a process, decides who gets the
    last free place."""

    scope = models.CharField(max_length=64)
    number = models.PositiveIntegerField()
    holder = models.CharField(max_length=64, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "number"], name="one_slot_per_number"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}#{self.number} ({self.holder or 'free'})"
