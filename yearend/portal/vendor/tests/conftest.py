from datetime import date

import pytest
from django.utils import timezone

from yearend.demo.seeding import seed_demo
from yearend.people.models import Role
from yearend.resetdates.models import ResetCycle
from yearend.resetdates.services import reset_cycle_create, reset_dates_assign
from yearend.testing.browser import browser, page  # noqa: F401 (pytest fixtures)


@pytest.fixture
def future_cycle(db):
    """A cycle whose window lies ahead, so a CSM may set dates in it whatever today is."""
    year = timezone.now().year + 2
    return reset_cycle_create(year=year, defaults=[date(year, 7, 15), date(year, 8, 5)])


@pytest.fixture
def demo(db, make_user):
    home, away = seed_demo(
        organizations=2, students_per_org=6, seed=5, as_of=date(2024, 6, 20)
    ).organizations
    reset_dates_assign(cycle=ResetCycle.objects.get(year=2024))
    return {
        "home": home,
        "away": away,
        "csm": make_user(Role.CSM, username="csm-1"),
        "ops": make_user(Role.OPS, username="ops-1"),
        "ops2": make_user(Role.OPS, username="ops-2"),
        "admin": make_user(Role.DISTRICT_ADMIN, home, username="home-admin"),
    }
