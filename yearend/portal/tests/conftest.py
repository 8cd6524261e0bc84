"""Portal fixtures, built through the real services; browser fixtures from yearend.testing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from yearend.organizations.models import School
from yearend.people.models import Role
from yearend.resetdates import rules
from yearend.resetdates.selectors import organization_today
from yearend.resetdates.services import reset_cycle_create, reset_dates_assign
from yearend.testing.browser import browser, page  # noqa: F401 (pytest fixtures)


def first_weekday_holiday(organization, cycle) -> date:
    """A Monday-Friday holiday inside the cycle's window (Independence Day, Labor Day...)."""
    day = cycle.window_start
    while day <= cycle.window_end:
        if day.weekday() < 5 and rules.holiday_name(
            day, country=organization.country, subdivision=organization.subdivision
        ):
            return day
        day += timedelta(days=1)
    raise AssertionError("no weekday holiday in the window")


@pytest.fixture
def cycle(org):
    """Next year's cycle, so every day of its window is in the future whatever today is."""
    year = organization_today(org).year + 1
    return reset_cycle_create(
        year=year, defaults=[date(year, 7, 16), date(year, 7, 30), date(year, 8, 13)]
    )


@pytest.fixture
def dated(org, other_org, cycle):
    """Both organizations have a default date in the cycle."""
    reset_dates_assign(cycle=cycle, organizations=[org, other_org])
    return cycle


@pytest.fixture
def north(org):
    return School.tenant.of(org).get(name="North Elementary")


@pytest.fixture
def school_admin(make_user, org, north):
    return make_user(Role.SCHOOL_ADMIN, org, schools=[north], username="home-sa")


@pytest.fixture
def teacher(make_user, org, north):
    return make_user(Role.TEACHER, org, schools=[north], username="home-teacher")
