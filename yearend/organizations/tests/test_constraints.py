"""Invariants live in the database: these writes bypass the services on purpose."""

from datetime import date

import pytest
from django.db import DataError, IntegrityError, transaction

from yearend.organizations.models import Licence, Organization, Product, School
from yearend.people.models import Role, Student, User

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def _refused(fn):
    # PostgreSQL refuses an over-long value before any CHECK: a DataError.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        fn()


def test_it_refuses_a_duplicate_site_code(org):
    _refused(
        lambda: Organization.objects.create(
            site_code=org.site_code, name="Copy", time_zone="UTC", country="US"
        )
    )


def test_it_refuses_a_country_that_is_not_two_letters():
    _refused(
        lambda: Organization.objects.create(
            site_code="BAD1", name="Bad", time_zone="UTC", country="USA"
        )
    )


def test_it_refuses_an_empty_site_code():
    _refused(
        lambda: Organization.objects.create(site_code="", name="Bad", time_zone="UTC", country="US")
    )


def test_it_refuses_two_schools_of_one_name_in_an_organization(org, other_org):
    _refused(lambda: School.unscoped.create(organization=org, name="North Elementary"))
    # The same name in another organization is fine.
    School.unscoped.create(organization=other_org, name="North Elementary Annex")
    School.unscoped.create(organization=other_org, name="West")
    assert School.tenant.of(other_org).filter(name="West").exists()


def test_it_refuses_an_educator_without_an_organization():
    _refused(lambda: User.objects.create(username="t", role=Role.TEACHER))


def test_it_refuses_vendor_staff_inside_an_organization(org):
    _refused(lambda: User.objects.create(username="c", role=Role.CSM, organization=org))


def test_it_refuses_an_unknown_role():
    _refused(lambda: User.objects.create(username="x", role="principal"))


def test_it_refuses_a_second_licence_for_one_product(org):
    product = Product.objects.get(code=Product.Code.FACTS)
    _refused(lambda: Licence.unscoped.create(organization=org, product=product))


def test_it_refuses_a_licence_that_ends_before_it_starts(other_org):
    Licence.tenant.of(other_org).delete()
    product = Product.objects.get(code=Product.Code.FACTS)
    _refused(
        lambda: Licence.unscoped.create(
            organization=other_org,
            product=product,
            starts_on=date(2025, 1, 1),
            ends_on=date(2024, 1, 1),
        )
    )


def test_it_refuses_a_duplicate_student_username_in_one_epoch_only(org):
    school = School.tenant.of(org).first()

    def student(epoch):
        return Student.unscoped.create(
            organization=org,
            school=school,
            epoch=epoch,
            username="ana1",
            first_name="Ana",
            last_name="Lee",
            grade="03",
            password="!",
        )

    student(1)
    _refused(lambda: student(1))
    # After a reset's cut-over a returning student gets a brand-new account.
    assert student(2).pk


def test_it_refuses_an_unknown_grade(org):
    school = School.tenant.of(org).first()
    _refused(
        lambda: Student.unscoped.create(
            organization=org,
            school=school,
            username="z",
            first_name="Z",
            last_name="Z",
            grade="13",
            password="!",
        )
    )


def test_it_ships_the_three_products():
    assert set(Product.objects.values_list("name", flat=True)) == {
        "Imagine Math PreK-2",
        "Imagine Math 3+",
        "Imagine Math Facts",
    }
