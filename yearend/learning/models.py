"""What students do in the products. Every table here is deleted by the reset.

Each table carries the organization id and an (organization, student) index, so the
purge deletes one school's students' rows with an indexed, tenant-constrained
statement per batch.
"""

from django.db import models
from django.db.models import Q

from yearend.organizations.grades import Grade
from yearend.tenancy import ResetPolicy, TenantModel


def _org_student_index(prefix: str) -> models.Index:
    return models.Index(fields=["organization", "student"], name=f"{prefix}_org_student")


class Pathway(models.Model):
    """A learning pathway of Imagine Math 3+ (catalogue, shared by all organizations)."""

    product = models.ForeignKey("organizations.Product", on_delete=models.PROTECT)
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    grade = models.CharField(max_length=3, choices=Grade.choices)
    lesson_count = models.PositiveIntegerField(default=60)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PathwayPlacement(TenantModel):
    """A student is placed in a pathway; a 3+ student may be in several."""

    reset_policy = ResetPolicy.DELETE

    student = models.ForeignKey("people.Student", on_delete=models.CASCADE)
    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT)
    placed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "student", "pathway"], name="placement_once"
            )
        ]


class TokenBalance(TenantModel):
    """Imagine Math PreK-2 tokens."""

    reset_policy = ResetPolicy.DELETE

    student = models.OneToOneField("people.Student", on_delete=models.CASCADE)
    tokens = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [_org_student_index("tokens")]


class ThinkPointBalance(TenantModel):
    """Imagine Math 3+ THINK Points."""

    reset_policy = ResetPolicy.DELETE

    student = models.OneToOneField("people.Student", on_delete=models.CASCADE)
    points = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [_org_student_index("think")]


class Avatar(TenantModel):
    """Imagine Math 3+ avatar the student built."""

    reset_policy = ResetPolicy.DELETE

    student = models.OneToOneField("people.Student", on_delete=models.CASCADE)
    body = models.CharField(max_length=30)
    color = models.CharField(max_length=30)
    accessory = models.CharField(max_length=30, blank=True, default="")

    class Meta:
        indexes = [_org_student_index("avatar")]


class LessonProgress(TenantModel):
    reset_policy = ResetPolicy.DELETE

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        PASSED = "passed", "Passed"
        NOT_PASSED = "not_passed", "Not passed"

    student = models.ForeignKey("people.Student", on_delete=models.CASCADE)
    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT)
    lesson_number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "lesson progress"
        indexes = [_org_student_index("lesson")]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="lesson_score_percent"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["in_progress", "passed", "not_passed"]),
                name="lesson_status_valid",
            ),
        ]


class Assessment(TenantModel):
    """A benchmark assessment: beginning, middle or end of year."""

    reset_policy = ResetPolicy.DELETE

    class Window(models.TextChoices):
        BOY = "BOY", "Beginning of year"
        MOY = "MOY", "Middle of year"
        EOY = "EOY", "End of year"

    student = models.ForeignKey("people.Student", on_delete=models.CASCADE)
    product = models.ForeignKey("organizations.Product", on_delete=models.PROTECT)
    window = models.CharField(max_length=3, choices=Window.choices)
    scale_score = models.PositiveSmallIntegerField()
    # Quantile measures run from below 0 ("EM", emerging) up to about 1600Q.
    quantile_measure = models.SmallIntegerField()
    taken_at = models.DateTimeField()

    class Meta:
        indexes = [_org_student_index("assess")]
        constraints = [
            models.CheckConstraint(
                condition=Q(window__in=["BOY", "MOY", "EOY"]), name="assessment_window_valid"
            )
        ]


class UsageSession(TenantModel):
    reset_policy = ResetPolicy.DELETE

    student = models.ForeignKey("people.Student", on_delete=models.CASCADE)
    product = models.ForeignKey("organizations.Product", on_delete=models.PROTECT)
    started_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [_org_student_index("usage")]


class FactFluency(TenantModel):
    """Imagine Math Facts: facts mastered per operation."""

    reset_policy = ResetPolicy.DELETE

    class Operation(models.TextChoices):
        ADDITION = "add", "Addition"
        SUBTRACTION = "sub", "Subtraction"
        MULTIPLICATION = "mul", "Multiplication"
        DIVISION = "div", "Division"

    student = models.ForeignKey("people.Student", on_delete=models.CASCADE)
    operation = models.CharField(max_length=3, choices=Operation.choices)
    facts_mastered = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name_plural = "fact fluency"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "student", "operation"], name="fluency_once_per_operation"
            )
        ]
