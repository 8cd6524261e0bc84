"""`make run` shows reset dates: an open cycle exists and every organization has a date."""

from datetime import date

import pytest

from yearend.resetdates import demo_setup
from yearend.resetdates.models import ResetCycle
from yearend.resetdates.selectors import current_cycle, reset_date_for
from yearend.resetdates.tests.conftest import snapshot

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def test_it_creates_the_next_cycle_and_assigns_dates_idempotently(org, other_org):
    demo_setup.prepare(today=date(2026, 11, 29))
    cycle = current_cycle(date(2026, 11, 29))
    assert cycle.year == 2027
    assert [d.isoformat() for d in cycle.defaults.values_list("date", flat=True)] == [
        "2027-07-16",
        "2027-08-06",
        "2027-08-20",
    ]
    # Spread over the defaults, the latest first.
    assert {reset_date_for(o, cycle).reset_date for o in (org, other_org)} == {
        date(2027, 8, 20),
        date(2027, 8, 6),
    }
    before = snapshot()
    demo_setup.prepare(today=date(2026, 11, 29))
    assert snapshot() == before


def test_it_uses_this_years_cycle_while_its_window_is_open(org):
    demo_setup.prepare(today=date(2024, 9, 1))
    assert ResetCycle.objects.count() == 1
    assert reset_date_for(org, ResetCycle.objects.get(year=2024)) is not None
