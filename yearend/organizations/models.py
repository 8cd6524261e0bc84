from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact

from yearend.organizations.grades import Grade
from yearend.tenancy import ResetPolicy, TenantModel


class Organization(models.Model):
    """A customer with a site code: a district or an independent school. The tenant."""

    class Kind(models.TextChoices):
        DISTRICT = "district", "District"
        INDEPENDENT_SCHOOL = "independent_school", "Independent school"

    site_code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DISTRICT)
    time_zone = models.CharField(max_length=64, help_text="IANA name, e.g. America/Chicago")
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, for holidays")
    subdivision = models.CharField(max_length=10, blank=True, help_text="e.g. TX, ON, BY")
    last_day_of_school = models.DateField(null=True, blank=True)
    last_day_of_summer_school = models.DateField(null=True, blank=True)
    # Students and classes belong to an epoch. The reset's cut-over advances this
    # number in one single-row update, which hides every student of the old year at
    # once however many there are; the purge then deletes them at its own pace.
    student_epoch = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site_code"]
        constraints = [
            models.CheckConstraint(condition=~Q(site_code=""), name="organization_site_code_set"),
            models.CheckConstraint(condition=~Q(name=""), name="organization_name_set"),
            models.CheckConstraint(condition=~Q(time_zone=""), name="organization_time_zone_set"),
            models.CheckConstraint(
                condition=Exact(Length("country"), 2), name="organization_country_two_letters"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["district", "independent_school"]),
                name="organization_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(student_epoch__gte=1), name="organization_epoch_pos"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.site_code})"


class School(TenantModel):
    reset_policy = ResetPolicy.RETAIN

    name = models.CharField(max_length=200)
    sis_sourced_id = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="school_name_per_org"),
            models.UniqueConstraint(
                fields=["organization", "sis_sourced_id"],
                condition=~Q(sis_sourced_id=""),
                name="school_sourced_id_per_org",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="school_name_set"),
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """One product of the suite. A small catalogue shared by every organization."""

    class Code(models.TextChoices):
        PREK2 = "im_prek2", "Imagine Math PreK-2"
        THREE_PLUS = "im_3plus", "Imagine Math 3+"
        FACTS = "im_facts", "Imagine Math Facts"

    code = models.CharField(max_length=20, unique=True, choices=Code.choices)
    name = models.CharField(max_length=100)
    lowest_grade = models.CharField(max_length=3, choices=Grade.choices)
    highest_grade = models.CharField(max_length=3, choices=Grade.choices)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Licence(TenantModel):
    reset_policy = ResetPolicy.RETAIN

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="licences")
    seats = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "product"], name="one_licence_per_product"
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="licence_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} for {self.organization_id}"
