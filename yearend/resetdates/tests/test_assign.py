"""Default assignment (rule 3): nearest default, ties later, capacity, idempotent re-runs."""

from datetime import date

import pytest

from yearend.audit.models import AuditEvent
from yearend.errors import Conflict, InvalidInput
from yearend.resetdates.models import OrganizationResetDate, ResetCycle, ResetDateChange
from yearend.resetdates.selectors import reset_date_for
from yearend.resetdates.services import reset_cycle_create, reset_date_set, reset_dates_assign
from yearend.resetdates.tests.conftest import BEFORE_2025, snapshot

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def _previous_date(organization, day: date) -> None:
    """Give the organization a 2024 date the way a CSM would have."""
    from yearend.people.models import Role, User

    csm = User.objects.filter(role=Role.CSM).first()
    reset_date_set(
        organization=organization,
        cycle=ResetCycle.objects.get(year=2024),
        new_date=day,
        acting_user=csm,
        reason="last year's date",
        now=BEFORE_2025.replace(year=2024),
    )


@pytest.fixture
def orgs(make_organization, csm):
    return [make_organization(f"A{n:03d}") for n in range(1, 6)]


def _dates(cycle, organizations):
    return [reset_date_for(o, cycle).reset_date for o in organizations]


def test_an_organization_without_a_previous_date_gets_the_latest_default(orgs, cycle_2025):
    result = reset_dates_assign(cycle=cycle_2025)
    assert result.assigned == 5
    assert set(_dates(cycle_2025, orgs)) == {date(2025, 8, 15)}
    assert ResetDateChange.unscoped.filter(cycle=cycle_2025, from_date=None).count() == 5


def test_the_nearest_default_to_last_years_date_wins_and_ties_go_later(orgs, cycle_2025):
    _previous_date(orgs[0], date(2024, 7, 19))  # -> Jul 19, 2025: nearest Jul 18
    _previous_date(orgs[1], date(2024, 7, 25))  # -> Jul 25: 7 days from Jul 18 and Aug 1
    _previous_date(orgs[2], date(2024, 8, 8))  # -> Aug 8: 7 days from Aug 1 and Aug 15
    _previous_date(orgs[3], date(2024, 9, 30))  # -> Sep 30: nearest Aug 15
    reset_dates_assign(cycle=cycle_2025)
    assert _dates(cycle_2025, orgs) == [
        date(2025, 7, 18),
        date(2025, 8, 1),
        date(2025, 8, 15),
        date(2025, 8, 15),
        date(2025, 8, 15),
    ]


def test_feb_29_is_carried_as_feb_28(make_organization, csm):
    organization = make_organization("LEAP01")
    reset_date_set(
        organization=organization,
        cycle=ResetCycle.objects.get(year=2024),
        new_date=date(2024, 2, 29),
        acting_user=csm,
        reason="southern-hemisphere calendar",
        now=BEFORE_2025.replace(year=2024, month=1),
    )
    cycle = reset_cycle_create(
        year=2025,
        defaults=[date(2025, 2, 27), date(2025, 3, 2)],
        window_start=date(2025, 2, 1),
        window_end=date(2025, 10, 1),
    )
    reset_dates_assign(cycle=cycle)
    # Feb 28 is one day from Feb 27; Mar 1 would have been nearer to Mar 2.
    assert reset_date_for(organization, cycle).reset_date == date(2025, 2, 27)


def test_capacity_sends_overflow_to_the_nearest_default_with_room(orgs, cycle_2025):
    result = reset_dates_assign(cycle=cycle_2025, capacity=2)
    # All five aim at Aug 15; two fit, the next nearest is Aug 1, then Jul 18.
    assert sorted(_dates(cycle_2025, orgs)) == [
        date(2025, 7, 18),
        date(2025, 8, 1),
        date(2025, 8, 1),
        date(2025, 8, 15),
        date(2025, 8, 15),
    ]
    assert [(load.date, load.organizations) for load in result.per_default] == [
        (date(2025, 7, 18), 1),
        (date(2025, 8, 1), 2),
        (date(2025, 8, 15), 2),
    ]


def test_capacity_too_small_for_everyone_changes_nothing(orgs, cycle_2025):
    before = snapshot()
    with pytest.raises(Conflict, match="Raise --capacity"):
        reset_dates_assign(cycle=cycle_2025, capacity=1)
    assert snapshot() == before


def test_a_capacity_below_one_is_refused(orgs, cycle_2025):
    before = snapshot()
    with pytest.raises(InvalidInput, match="at least 1"):
        reset_dates_assign(cycle=cycle_2025, capacity=0)
    assert snapshot() == before


def test_rerunning_assign_changes_nothing_and_never_overwrites_a_chosen_date(
    orgs, cycle_2025, make_user
):
    from yearend.people.models import Role

    admin = make_user(Role.DISTRICT_ADMIN, orgs[0])
    reset_date_set(
        organization=orgs[0],
        cycle=cycle_2025,
        new_date=date(2025, 6, 20),
        acting_user=admin,
        now=BEFORE_2025,
    )
    first = reset_dates_assign(cycle=cycle_2025)
    assert (first.assigned, first.already_set, first.on_other_dates) == (4, 1, 1)
    before = snapshot()
    audits = AuditEvent.objects.count()
    again = reset_dates_assign(cycle=cycle_2025)
    assert (again.assigned, again.already_set) == (0, 5)
    assert snapshot() == before
    assert AuditEvent.objects.count() == audits
    assert reset_date_for(orgs[0], cycle_2025).reset_date == date(2025, 6, 20)


def test_chosen_dates_count_towards_capacity(orgs, cycle_2025, csm):
    for organization in orgs[:2]:
        reset_date_set(
            organization=organization,
            cycle=cycle_2025,
            new_date=date(2025, 8, 15),
            acting_user=csm,
            reason="asked",
            now=BEFORE_2025,
        )
    reset_dates_assign(cycle=cycle_2025, capacity=2)
    loads = {}
    for record in OrganizationResetDate.unscoped.filter(cycle=cycle_2025):
        loads[record.reset_date] = loads.get(record.reset_date, 0) + 1
    assert loads == {date(2025, 8, 15): 2, date(2025, 8, 1): 2, date(2025, 7, 18): 1}
