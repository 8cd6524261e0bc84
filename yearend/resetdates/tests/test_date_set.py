"""Who may move a reset date, to which days, and what a refusal leaves behind (nothing)."""

from datetime import UTC, date, datetime

import pytest

from yearend.audit.models import AuditEvent, Via
from yearend.errors import Conflict, Forbidden, InvalidInput
from yearend.people.models import Role
from yearend.resetdates.models import OrganizationResetDate, ResetDateChange, ResetDateSource
from yearend.resetdates.selectors import reset_date_for
from yearend.resetdates.services import reset_date_lock, reset_date_set, reset_dates_assign
from yearend.resetdates.tests.conftest import BEFORE_2025, snapshot

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture
def assigned(org, cycle_2025):
    reset_dates_assign(cycle=cycle_2025)
    return reset_date_for(org, cycle_2025)


def _set(org, cycle, day, user, **extra):
    return reset_date_set(
        organization=org, cycle=cycle, new_date=day, acting_user=user, now=BEFORE_2025, **extra
    )


def _refused(error, org, cycle, day, user, *, match, **extra):
    before = snapshot()
    with pytest.raises(error, match=match):
        _set(org, cycle, day, user, **extra)
    assert snapshot() == before


def test_it_lets_a_district_admin_move_the_date_with_history_and_audit(
    org, cycle_2025, district_admin, assigned
):
    result = _set(org, cycle_2025, date(2025, 7, 25), district_admin, via=Via.PORTAL)
    record = reset_date_for(org, cycle_2025)
    assert record.reset_date == date(2025, 7, 25)
    assert record.source == ResetDateSource.DISTRICT_ADMIN
    assert result.warnings == []
    change = ResetDateChange.tenant.of(org).filter(cycle=cycle_2025).last()
    assert (change.from_date, change.to_date, change.changed_by, change.via) == (
        date(2025, 8, 15),
        date(2025, 7, 25),
        district_admin,
        "portal",
    )
    assert AuditEvent.objects.filter(
        organization=org, action="resetdates.date_set", actor=district_admin
    ).exists()


def test_it_lets_a_csm_go_outside_the_window_with_a_reason(org, cycle_2025, csm, assigned):
    _set(org, cycle_2025, date(2025, 10, 25), csm, reason="International school calendar")
    record = reset_date_for(org, cycle_2025)
    assert (record.reset_date, record.source) == (date(2025, 10, 25), ResetDateSource.CSM)
    change = ResetDateChange.tenant.of(org).filter(cycle=cycle_2025).last()
    assert change.reason == "International school calendar"


def test_it_creates_the_date_when_none_was_assigned(org, cycle_2025, district_admin):
    _set(org, cycle_2025, date(2025, 7, 25), district_admin)
    assert reset_date_for(org, cycle_2025).reset_date == date(2025, 7, 25)
    assert ResetDateChange.tenant.of(org).get().from_date is None


@pytest.mark.parametrize(
    ("day", "match"),
    [
        (date(2025, 7, 4), r"^July 4, 2025 is a holiday \(Independence Day\)\.$"),
        (date(2025, 7, 19), "July 19, 2025 is a Saturday"),
        (date(2025, 5, 30), "outside the reset window"),
        (date(2025, 10, 2), "outside the reset window"),
        (date(2025, 3, 3), "is not after today"),
        (date(2025, 1, 2), "is not after today"),
    ],
)
def test_it_refuses_a_district_admin_a_day_against_the_rules(
    org, cycle_2025, district_admin, assigned, day, match
):
    _refused(InvalidInput, org, cycle_2025, day, district_admin, match=match)


def test_it_refuses_a_district_admin_outside_the_window_even_with_a_reason(
    org, cycle_2025, district_admin, assigned
):
    _refused(
        InvalidInput,
        org,
        cycle_2025,
        date(2025, 10, 6),
        district_admin,
        reason="please",
        match="outside the reset window",
    )


def test_it_refuses_a_csm_without_a_reason(org, cycle_2025, csm, assigned):
    _refused(InvalidInput, org, cycle_2025, date(2025, 10, 6), csm, match="must give a reason")
    _refused(InvalidInput, org, cycle_2025, date(2025, 10, 6), csm, reason="   ", match="reason")


def test_it_refuses_a_csm_a_day_that_is_not_in_the_future(org, cycle_2025, csm, assigned):
    _refused(
        InvalidInput, org, cycle_2025, date(2025, 3, 3), csm, reason="x", match="not after today"
    )


def test_it_refuses_a_date_in_another_cycles_year(org, cycle_2025, csm, district_admin, assigned):
    _refused(
        InvalidInput, org, cycle_2025, date(2026, 7, 17), csm, reason="x", match="not in the 2025"
    )
    _refused(
        InvalidInput, org, cycle_2025, date(2024, 7, 19), district_admin, match="not in the 2025"
    )


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SCHOOL_ADMIN])
def test_it_refuses_other_educators_of_the_organization(make_user, org, cycle_2025, assigned, role):
    user = make_user(role, org, schools=[org_school(org)] if role != Role.DISTRICT_ADMIN else ())
    _refused(Forbidden, org, cycle_2025, date(2025, 7, 25), user, match="may not change")


def org_school(org):
    from yearend.organizations.models import School

    return School.tenant.of(org).first()


def test_it_refuses_operations_staff(org, cycle_2025, ops, assigned):
    _refused(Forbidden, org, cycle_2025, date(2025, 7, 25), ops, reason="x", match="may not")


def test_it_refuses_a_district_admin_of_another_organization(org, cycle_2025, outsider, assigned):
    _refused(Forbidden, org, cycle_2025, date(2025, 7, 25), outsider, match="may not change")


def test_it_refuses_an_inactive_account(org, cycle_2025, district_admin, assigned):
    district_admin.is_active = False
    district_admin.save(update_fields=["is_active"])
    _refused(Forbidden, org, cycle_2025, date(2025, 7, 25), district_admin, match="active")


def test_it_refuses_a_locked_date_even_to_a_csm(org, cycle_2025, csm, district_admin, assigned):
    reset_date_lock(organization=org, cycle=cycle_2025, now=BEFORE_2025)
    _refused(Conflict, org, cycle_2025, date(2025, 7, 25), district_admin, match="locked")
    _refused(Conflict, org, cycle_2025, date(2025, 7, 25), csm, reason="x", match="locked")


def test_it_refuses_to_move_a_date_whose_day_has_begun(org, cycle_2025, csm, assigned):
    on_the_day = datetime(2025, 8, 15, 12, tzinfo=UTC)
    before = snapshot()
    with pytest.raises(Conflict, match="began on August 15, 2025"):
        reset_date_set(
            organization=org,
            cycle=cycle_2025,
            new_date=date(2025, 8, 29),
            acting_user=csm,
            reason="late",
            now=on_the_day,
        )
    assert snapshot() == before


def test_it_refuses_the_date_it_already_has(org, cycle_2025, district_admin, assigned):
    _refused(InvalidInput, org, cycle_2025, date(2025, 8, 15), district_admin, match="already the")


def test_it_warns_about_a_date_before_the_last_day_of_school(
    org, cycle_2025, district_admin, assigned
):
    org.last_day_of_school = date(2025, 6, 6)
    org.last_day_of_summer_school = date(2025, 7, 25)
    org.save(update_fields=["last_day_of_school", "last_day_of_summer_school"])
    result = _set(org, cycle_2025, date(2025, 7, 18), district_admin)
    assert len(result.warnings) == 1
    assert "last day of summer school (July 25, 2025)" in result.warnings[0]
    assert reset_date_for(org, cycle_2025).reset_date == date(2025, 7, 18)
    assert _set(org, cycle_2025, date(2025, 7, 28), district_admin).warnings == []


def test_today_is_taken_in_the_organizations_time_zone(make_organization, make_user, cycle_2025):
    # 11:00 UTC on July 17 is already July 18 on Kiritimati (UTC+14),
    # and 05:00 UTC on July 18 is still July 17 in Pago Pago (UTC-11).
    kiritimati = make_organization(
        "KIR01", time_zone="Pacific/Kiritimati", country="KI", subdivision=""
    )
    pago = make_organization("PAGO01", time_zone="Pacific/Pago_Pago", country="US", subdivision="")
    chicago = make_organization("CHI01", time_zone="America/Chicago", country="US", subdivision="")
    friday = date(2025, 7, 18)

    def set_for(organization, now):
        user = make_user(Role.DISTRICT_ADMIN, organization)
        return reset_date_set(
            organization=organization, cycle=cycle_2025, new_date=friday, acting_user=user, now=now
        )

    with pytest.raises(InvalidInput, match="not after today \\(July 18, 2025\\)"):
        set_for(kiritimati, datetime(2025, 7, 17, 11, tzinfo=UTC))
    assert not OrganizationResetDate.tenant.of(kiritimati).exists()
    set_for(chicago, datetime(2025, 7, 17, 11, tzinfo=UTC))
    set_for(pago, datetime(2025, 7, 18, 5, tzinfo=UTC))
    assert reset_date_for(pago, cycle_2025).reset_date == friday


def test_a_non_us_organization_follows_its_own_holidays(make_organization, make_user, cycle_2025):
    ontario = make_organization(
        "ON001", time_zone="America/Toronto", country="CA", subdivision="ON"
    )
    user = make_user(Role.DISTRICT_ADMIN, ontario)
    _refused(InvalidInput, ontario, cycle_2025, date(2025, 7, 1), user, match=r"\(Canada Day\)")
    # July 4 is no holiday in Ontario.
    _set(ontario, cycle_2025, date(2025, 7, 4), user)
    assert reset_date_for(ontario, cycle_2025).reset_date == date(2025, 7, 4)


def test_history_is_append_only(org, cycle_2025, district_admin, assigned):
    change = ResetDateChange.tenant.of(org).get()
    change.reason = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        change.save()
    with pytest.raises(ValueError, match="append-only"):
        change.delete()
    assert ResetDateChange.tenant.of(org).get().reason == "Default date assigned"


def test_the_allowed_list_starts_after_the_organizations_own_today(make_organization, cycle_2025):
    from yearend.resetdates.selectors import allowed_days_for, organization_today

    kiritimati = make_organization(
        "KIR02", time_zone="Pacific/Kiritimati", country="KI", subdivision=""
    )
    pago = make_organization("PAGO02", time_zone="Pacific/Pago_Pago", country="US", subdivision="")
    now = datetime(2025, 7, 17, 11, tzinfo=UTC)  # Jul 18 in Kiritimati, Jul 17 in Pago Pago
    assert allowed_days_for(kiritimati, cycle_2025, today=organization_today(kiritimati, now))[
        0
    ] == date(2025, 7, 21)
    assert allowed_days_for(pago, cycle_2025, today=organization_today(pago, now))[0] == date(
        2025, 7, 18
    )
