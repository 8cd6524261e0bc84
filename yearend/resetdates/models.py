from django.conf import settings
from django.db import models
from django.db.models import F, Q

from yearend.tenancy import ResetPolicy, TenantModel


class ResetCycle(models.Model):
    """One reset season ("the 2024 reset"): its default dates and its window. Data, not code."""

    year = models.PositiveIntegerField(unique=True)
    window_start = models.DateField(help_text="First day a district may choose (included)")
    window_end = models.DateField(help_text="Last day a district may choose (included)")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gte=F("window_start")), name="cycle_window_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} reset"


class DefaultResetDate(models.Model):
    cycle = models.ForeignKey(ResetCycle, on_delete=models.CASCADE, related_name="defaults")
    date = models.DateField()

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "date"], name="default_date_once_per_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.date:%a %b %d, %Y}"


class ResetDateSource(models.TextChoices):
    DEFAULT = "default", "Assigned default"
    DISTRICT_ADMIN = "district_admin", "Chosen by a district administrator"
    CSM = "csm", "Set by a customer-success manager"


class OrganizationResetDate(TenantModel):
    """The one reset date of an organization in a cycle, for all products at once."""

    reset_policy = ResetPolicy.RETAIN

    cycle = models.ForeignKey(ResetCycle, on_delete=models.PROTECT, related_name="dates")
    reset_date = models.DateField()
    source = models.CharField(max_length=20, choices=ResetDateSource.choices)
    # Set by the reset engine when the reset starts; a locked date never moves again.
    locked_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "cycle"], name="one_date_per_cycle"),
            models.CheckConstraint(
                condition=Q(source__in=["default", "district_admin", "csm"]),
                name="reset_date_source_valid",
            ),
        ]
        indexes = [models.Index(fields=["cycle", "reset_date"], name="reset_date_by_day")]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.reset_date}"


class ResetDateChange(TenantModel):
    """Append-only history of every assignment and change (rule 7)."""

    reset_policy = ResetPolicy.RETAIN

    cycle = models.ForeignKey(ResetCycle, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_by_label = models.CharField(max_length=150)
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField()
    source = models.CharField(max_length=20, choices=ResetDateSource.choices)
    reason = models.TextField(blank=True, default="")
    via = models.CharField(max_length=10)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["organization", "cycle", "at"], name="date_change_org")]

    def save(self, *args, **kwargs) -> None:
        # Append-only (rule 7): history that can be edited proves nothing.
        if self.pk is not None and not self._state.adding:
            raise ValueError("Reset date history is append-only: a change cannot be edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Reset date history is append-only: a change cannot be deleted.")
