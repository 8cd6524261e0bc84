"""What the reset engine calls: which dates are due, the lock, and the date itself."""

from datetime import UTC, date, datetime, timedelta

import pytest

from yearend.audit.models import AuditEvent
from yearend.errors import NotFound
from yearend.people.models import Role
from yearend.resetdates.selectors import current_cycle, organizations_due, reset_date_for
from yearend.resetdates.services import reset_date_lock, reset_date_set, reset_dates_assign
from yearend.resetdates.tests.conftest import BEFORE_2025

pytestmark = [pytest.mark.core, pytest.mark.django_db]

FRIDAY = date(2025, 7, 18)


@pytest.fixture
def zones(make_organization, make_user, cycle_2025):
    organizations = {
        "kir": make_organization(
            "KIR01", time_zone="Pacific/Kiritimati", country="KI", subdivision=""
        ),
        "chi": make_organization("CHI01", time_zone="America/Chicago"),
        "pago": make_organization("PAGO01", time_zone="Pacific/Pago_Pago", subdivision=""),
    }
    for organization in organizations.values():
        reset_date_set(
            organization=organization,
            cycle=cycle_2025,
            new_date=FRIDAY,
            acting_user=make_user(Role.DISTRICT_ADMIN, organization),
            now=BEFORE_2025,
        )
    return organizations


def _due(now):
    return {record.organization.site_code for record in organizations_due(now)}


def test_a_reset_is_due_at_the_start_of_its_day_in_the_organizations_zone(zones):
    kiritimati_midnight = datetime(2025, 7, 17, 10, tzinfo=UTC)  # UTC+14
    assert _due(kiritimati_midnight - timedelta(seconds=1)) == set()
    assert _due(kiritimati_midnight) == {"KIR01"}
    chicago_midnight = datetime(2025, 7, 18, 5, tzinfo=UTC)  # CDT, UTC-5
    assert _due(chicago_midnight - timedelta(seconds=1)) == {"KIR01"}
    assert _due(chicago_midnight) == {"KIR01", "CHI01"}
    pago_midnight = datetime(2025, 7, 18, 11, tzinfo=UTC)  # UTC-11
    assert _due(pago_midnight) == {"KIR01", "CHI01", "PAGO01"}
    # Days later an unlocked date is still due: the engine must not miss it after an outage.
    assert _due(pago_midnight + timedelta(days=3)) == {"KIR01", "CHI01", "PAGO01"}


def test_a_locked_date_is_no_longer_due_and_locking_is_idempotent(zones, cycle_2025):
    now = datetime(2025, 7, 18, 12, tzinfo=UTC)
    reset_date_lock(organization=zones["chi"], cycle=cycle_2025, now=now)
    reset_date_lock(organization=zones["chi"], cycle=cycle_2025, now=now + timedelta(hours=1))
    record = reset_date_for(zones["chi"], cycle_2025)
    assert record.locked_at == now
    assert _due(now) == {"KIR01", "PAGO01"}
    assert AuditEvent.objects.filter(action="resetdates.date_lock").count() == 1


def test_locking_an_organization_without_a_date_is_refused(org, cycle_2025):
    with pytest.raises(NotFound, match="has no reset date"):
        reset_date_lock(organization=org, cycle=cycle_2025)


def test_reset_date_for_is_none_without_a_date_and_scoped_to_the_organization(
    org, other_org, cycle_2025
):
    assert reset_date_for(org, cycle_2025) is None
    reset_dates_assign(cycle=cycle_2025, organizations=[org])
    assert reset_date_for(org, cycle_2025).organization == org
    assert reset_date_for(other_org, cycle_2025) is None


def test_the_current_cycle_is_the_next_whose_window_has_not_closed(cycle_2025):
    assert current_cycle(date(2024, 10, 1)).year == 2024
    assert current_cycle(date(2024, 10, 2)).year == 2025
    assert current_cycle(date(2025, 10, 1)).year == 2025
    with pytest.raises(NotFound, match="No reset cycle is open"):
        current_cycle(date(2025, 10, 2))
