from django.db import models
from django.db.models import Q

from yearend.organizations.grades import Grade
from yearend.tenancy import ResetPolicy, TenantModel


class SchoolClass(TenantModel):
    """A class or group in a school. Deleted by the reset with all its links."""

    reset_policy = ResetPolicy.DELETE

    school = models.ForeignKey(
        "organizations.School", on_delete=models.PROTECT, related_name="classes"
    )
    epoch = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=200)
    grade = models.CharField(max_length=3, choices=Grade.choices, blank=True, default="")
    product = models.ForeignKey(
        "organizations.Product", on_delete=models.PROTECT, null=True, blank=True
    )
    sis_sourced_id = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "class"
        verbose_name_plural = "classes"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "epoch", "sis_sourced_id"],
                condition=~Q(sis_sourced_id=""),
                name="class_sourced_id_per_epoch",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="class_name_set"),
        ]
        indexes = [
            models.Index(fields=["organization", "school", "id"], name="class_org_school_id")
        ]

    def __str__(self) -> str:
        return self.name


class TeacherAssignment(TenantModel):
    reset_policy = ResetPolicy.DELETE

    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="teacher_assignments"
    )
    teacher = models.ForeignKey(
        "people.User", on_delete=models.CASCADE, related_name="teacher_assignments"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "school_class", "teacher"], name="teacher_assigned_once"
            )
        ]


class Enrollment(TenantModel):
    """A student in a class: the highest-volume table of a roster (four or more per student).

    Its three references carry no database foreign-key constraint (``db_constraint=False``).
    On PostgreSQL each constraint is a trigger that looks the parent row up once per
    inserted row; for a 400,000-enrollment roster those 1.2 million look-ups were most of
    the import's time. What guards integrity instead:
    - the roster importer inserts only ids it read from the organization's own rows in
      the same transaction, holding those rows as the triggers did (``FOR KEY SHARE``),
      then proves in one set-based query that every enrollment of the organization points
      at a class and a student *of that organization* (stricter than the three constraints
      were: they never checked that the tenants match), and rolls back otherwise
      (``yearend.rosters.importer.integrity``);
    - deletes go through the ORM's cascade (``on_delete`` below is enforced by Django) or
      the reset purge, which deletes enrollments before classes and students;
    - the references stay indexed, so those deletes and lookups remain indexed.

    Indexes, shaped for the order a roster's enrollments arrive in (by student): the
    unique (organization, student, class) and the student index then grow at their end,
    and (class, organization, student) at the end of each class. It leads with the class,
    so it serves both a class's enrollments and the ORM's unscoped cascade from a class.
    In class order with an (organization, student) index as well, two indexes took rows
    at random places: that cost more than half the time of inserting 400,000 of them.
    """

    reset_policy = ResetPolicy.DELETE

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.CASCADE,
        related_name="enrollments",
        db_constraint=False,
        db_index=False,  # led by enrollment_class_org_student
    )
    student = models.ForeignKey(
        "people.Student", on_delete=models.CASCADE, related_name="enrollments", db_constraint=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "student", "school_class"], name="student_enrolled_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["school_class", "organization", "student"],
                name="enrollment_class_org_student",
            )
        ]
