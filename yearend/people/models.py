from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q

from yearend.organizations.grades import Grade
from yearend.tenancy import ResetPolicy, TenantModel


class Role(models.TextChoices):
    TEACHER = "teacher", "Teacher"
    SCHOOL_ADMIN = "school_admin", "School administrator"
    DISTRICT_ADMIN = "district_admin", "District administrator"
    CSM = "csm", "Customer-success manager"
    OPS = "ops", "Operations"


EDUCATOR_ROLES = (Role.TEACHER, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)
SCHOOL_BOUND_ROLES = (Role.TEACHER, Role.SCHOOL_ADMIN)
VENDOR_ROLES = (Role.CSM, Role.OPS)


class AccountManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # A superuser is an operations account: vendor staff, no organization.
        extra_fields.setdefault("role", Role.OPS)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs into this system: an educator of one organization or vendor staff.

    Educators are retained by a reset. Students are not users of this system; they
    have their own table (``Student``) so a reset can remove them wholesale.
    """

    reset_policy = ResetPolicy.RETAIN

    role = models.CharField(max_length=20, choices=Role.choices)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="educators",
    )
    schools = models.ManyToManyField(
        "organizations.School",
        through="SchoolMembership",
        related_name="educators",
        blank=True,
    )
    sis_sourced_id = models.CharField(max_length=255, blank=True, default="")
    # Set when an administrator removes the educator (rosters.educator_cleanup): the account is
    # deactivated, not deleted, so history that names it stays readable.
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = AccountManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="user_role_valid"
            ),
            # Educators belong to exactly one organization; vendor staff to none.
            models.CheckConstraint(
                condition=(
                    Q(role__in=[r.value for r in EDUCATOR_ROLES], organization__isnull=False)
                    | Q(role__in=[r.value for r in VENDOR_ROLES], organization__isnull=True)
                ),
                name="user_organization_matches_role",
            ),
            models.UniqueConstraint(
                fields=["organization", "sis_sourced_id"],
                condition=~Q(sis_sourced_id=""),
                name="educator_sourced_id_per_org",
            ),
        ]
        indexes = [models.Index(fields=["organization", "role"], name="user_org_role")]

    @property
    def is_vendor_staff(self) -> bool:
        return self.role in VENDOR_ROLES

    @property
    def is_educator(self) -> bool:
        return self.role in EDUCATOR_ROLES


class SchoolMembership(TenantModel):
    """A teacher or school administrator works at a school."""

    reset_policy = ResetPolicy.RETAIN

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(
        "organizations.School", on_delete=models.CASCADE, related_name="memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "school"], name="membership_once"
            )
        ]


class Student(TenantModel):
    """A student account of one organization and school, for one school year.

    ``epoch`` ties the account to the organization's roster generation: only
    students of the organization's current ``student_epoch`` exist for anyone.
    """

    reset_policy = ResetPolicy.DELETE

    school = models.ForeignKey(
        "organizations.School", on_delete=models.PROTECT, related_name="students"
    )
    epoch = models.PositiveIntegerField(default=1)
    username = models.CharField(max_length=150)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    grade = models.CharField(max_length=3, choices=Grade.choices)
    # A Django password hash (or an unusable "!..." marker): the student's credential.
    password = models.CharField(max_length=128)
    sis_sourced_id = models.CharField(max_length=255, blank=True, default="")
    last_login = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "epoch", "username"], name="student_username_per_epoch"
            ),
            models.UniqueConstraint(
                fields=["organization", "epoch", "sis_sourced_id"],
                condition=~Q(sis_sourced_id=""),
                name="student_sourced_id_per_epoch",
            ),
            models.CheckConstraint(
                condition=Q(grade__in=[g.value for g in Grade]), name="student_grade_valid"
            ),
            models.CheckConstraint(condition=~Q(username=""), name="student_username_set"),
        ]
        indexes = [
            # Keyset batches of one school's students during the purge.
            models.Index(fields=["organization", "school", "id"], name="student_org_school_id"),
        ]

    def __str__(self) -> str:
        return f"student {self.pk}"


# Column order of set-based inserts of new student accounts (seed_demo, roster import).
STUDENT_INSERT_COLUMNS = (
    "id",
    "organization_id",
    "school_id",
    "epoch",
    "username",
    "first_name",
    "last_name",
    "grade",
    "password",
    "sis_sourced_id",
    "created_at",
)
