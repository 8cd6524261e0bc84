"""Property tests: the allowed-day list, the set service and the rules agree.

For random days, "now" instants, time zones and holiday calendars, a district
administrator's change succeeds exactly on the days the allowed list offers, and those
days are exactly the ones the rules describe in words (window, weekday, not a holiday,
strictly after today in the organization's zone).
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yearend.errors import InvalidInput
from yearend.people.models import Role
from yearend.resetdates import rules
from yearend.resetdates.models import OrganizationResetDate, ResetDateChange
from yearend.resetdates.selectors import allowed_days_for, organization_today
from yearend.resetdates.services import reset_date_set

pytestmark = [pytest.mark.core, pytest.mark.django_db]

CALENDARS = [
    ("America/Chicago", "US", "TX"),
    ("America/New_York", "US", ""),
    ("Pacific/Kiritimati", "KI", ""),
    ("Pacific/Pago_Pago", "US", "AS"),
    ("America/Toronto", "CA", "ON"),
    ("America/Vancouver", "CA", "BC"),
    ("Europe/Berlin", "DE", "BY"),
    ("Australia/Sydney", "AU", "NSW"),
]

instants = st.datetimes(
    min_value=datetime(2025, 5, 1), max_value=datetime(2025, 10, 3), timezones=st.just(UTC)
)
days = st.dates(min_value=date(2025, 5, 20), max_value=date(2025, 10, 10))
MODEST = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def calendars(make_organization, make_user):
    built = []
    for n, (zone, country, subdivision) in enumerate(CALENDARS):
        organization = make_organization(
            f"P{n:03d}", time_zone=zone, country=country, subdivision=subdivision
        )
        built.append((organization, make_user(Role.DISTRICT_ADMIN, organization)))
    return built


def _described_by_the_rules(day: date, organization, cycle, today: date) -> bool:
    return (
        day > today
        and cycle.window_start <= day <= cycle.window_end
        and day.weekday() < 5
        and rules.holiday_name(
            day, country=organization.country, subdivision=organization.subdivision
        )
        is None
    )


@MODEST
@given(index=st.integers(0, len(CALENDARS) - 1), now=instants, day=days)
def test_set_succeeds_exactly_on_the_allowed_days(calendars, cycle_2025, index, now, day):
    organization, admin = calendars[index]
    today = organization_today(organization, now)
    allowed = allowed_days_for(organization, cycle_2025, today=today)
    expected = _described_by_the_rules(day, organization, cycle_2025, today)
    assert (day in allowed) == expected

    with transaction.atomic():
        try:
            reset_date_set(
                organization=organization,
                cycle=cycle_2025,
                new_date=day,
                acting_user=admin,
                now=now,
            )
        except InvalidInput as refusal:
            assert not expected, refusal.message
            assert refusal.message.startswith(rules.format_day(day))
            assert not OrganizationResetDate.tenant.of(organization).exists()
            assert not ResetDateChange.tenant.of(organization).exists()
        else:
            assert expected
            assert OrganizationResetDate.tenant.of(organization).get().reset_date == day
        transaction.set_rollback(True)


@MODEST
@given(index=st.integers(0, len(CALENDARS) - 1), now=instants)
def test_the_allowed_list_is_every_day_the_rules_describe(calendars, cycle_2025, index, now):
    organization, _ = calendars[index]
    today = organization_today(organization, now)
    allowed = allowed_days_for(organization, cycle_2025, today=today)
    span = (cycle_2025.window_end - cycle_2025.window_start).days
    every_day = [cycle_2025.window_start + timedelta(days=n) for n in range(span + 1)]
    assert allowed == [
        d for d in every_day if _described_by_the_rules(d, organization, cycle_2025, today)
    ]
    assert allowed == sorted(set(allowed))


@MODEST
@given(index=st.integers(0, len(CALENDARS) - 1), now=instants, day=days)
def test_a_csm_may_choose_any_future_day_of_the_cycle_year(
    calendars, cycle_2025, csm, index, now, day
):
    organization, _ = calendars[index]
    today = organization_today(organization, now)
    with transaction.atomic():
        try:
            reset_date_set(
                organization=organization,
                cycle=cycle_2025,
                new_date=day,
                acting_user=csm,
                reason="customer request",
                now=now,
            )
        except InvalidInput as refusal:
            assert day <= today, refusal.message
            assert not ResetDateChange.tenant.of(organization).exists()
        else:
            assert day > today
        transaction.set_rollback(True)
