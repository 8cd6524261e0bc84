"""Fixtures for the notices: the 2024 cycle, organizations with dates, people with email."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from yearend.audit.models import Via
from yearend.organizations.models import School
from yearend.people.models import Role
from yearend.resetdates.models import OrganizationResetDate, ResetCycle
from yearend.resetdates.services import reset_date_set, reset_dates_assign


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def cycle(db) -> ResetCycle:
    return ResetCycle.objects.get(year=2024)


@pytest.fixture
def person(make_user):
    """A user with an email address (the conftest's users have none)."""

    def make(role: str, organization=None, *, username: str, **kwargs):
        user = make_user(role, organization, username=username, **kwargs)
        user.email = f"{username}@example.org"
        user.first_name = username.title()
        user.save(update_fields=["email", "first_name"])
        return user

    return make


@pytest.fixture
def dated(make_organization, cycle):
    """An organization with the default date (Friday, August 16, 2024: the latest default)."""

    def make(site_code: str, time_zone: str = "America/Chicago", **kwargs):
        organization = make_organization(site_code, time_zone=time_zone, **kwargs)
        reset_dates_assign(cycle=cycle, organizations=[organization], via=Via.SYSTEM)
        return organization

    return make


def move_date(organization, cycle, new_date: date, user, *, now: datetime):
    """The real service, with "today" injected: the 2024 cycle is in the past."""
    return reset_date_set(
        organization=organization,
        cycle=cycle,
        new_date=new_date,
        acting_user=user,
        reason="moved in a test",
        now=now,
    )


def date_of(organization, cycle) -> date:
    return OrganizationResetDate.tenant.of(organization).get(cycle=cycle).reset_date


@pytest.fixture
def home(dated):
    return dated("HOME01", name="Home District")


@pytest.fixture
def home_people(person, home):
    north = School.tenant.of(home).get(name="North Elementary")
    return {
        "da1": person(Role.DISTRICT_ADMIN, home, username="dana"),
        "da2": person(Role.DISTRICT_ADMIN, home, username="dale"),
        "teacher": person(Role.TEACHER, home, username="terry", schools=[north]),
        "school_admin": person(Role.SCHOOL_ADMIN, home, username="sam", schools=[north]),
    }


@pytest.fixture
def ops_people(person):
    return [person(Role.OPS, username="olga"), person(Role.OPS, username="oscar")]
