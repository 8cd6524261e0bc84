"""Change the date: the calendar, the review with the rule's refusal, the confirmation."""

from datetime import timedelta

import pytest
from django.urls import reverse

from yearend.audit.models import AuditEvent
from yearend.portal.tests.conftest import first_weekday_holiday
from yearend.resetdates import rules
from yearend.resetdates.models import OrganizationResetDate, ResetDateChange

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def _url(org):
    return reverse("portal:date", args=[org.site_code])


def _allowed_day(cycle, current):
    day = cycle.window_start + timedelta(days=20)
    while day.weekday() >= 5 or day == current:
        day += timedelta(days=1)
    return day


def test_the_calendar_offers_allowed_days_and_names_holidays(client, org, dated, district_admin):
    holiday = first_weekday_holiday(org, dated)
    name = rules.holiday_name(holiday, country="US", subdivision="TX")
    client.force_login(district_admin)
    response = client.get(_url(org))
    page = response.content.decode()
    assert response.status_code == 200
    # A holiday is shown with its name and is not a button; an allowed day is.
    assert name in page
    assert f'value="{holiday.isoformat()}"' not in page
    allowed = _allowed_day(dated, None)
    assert f'name="date" value="{allowed.isoformat()}"' in page
    saturday = dated.window_start + timedelta(days=(5 - dated.window_start.weekday()) % 7)
    assert f'value="{saturday.isoformat()}"' not in page


def test_reviewing_a_holiday_shows_the_rules_refusal_and_no_confirm_button(
    client, org, dated, district_admin
):
    holiday = first_weekday_holiday(org, dated)
    client.force_login(district_admin)
    response = client.get(_url(org), {"date": holiday.isoformat()})
    page = response.content.decode()
    assert "is a holiday (" in page
    assert rules.holiday_name(holiday, country="US", subdivision="TX") in page
    assert "Confirm the new date" not in page


def test_reviewing_an_allowed_day_warns_about_the_last_day_of_school_and_asks_to_confirm(
    client, org, dated, district_admin
):
    current = OrganizationResetDate.tenant.of(org).get().reset_date
    day = _allowed_day(dated, current)
    org.last_day_of_school = day + timedelta(days=3)
    org.save(update_fields=["last_day_of_school"])
    client.force_login(district_admin)
    page = client.get(_url(org), {"date": day.isoformat()}).content.decode()
    assert "Confirm the new date" in page
    assert "is not after Home District&#x27;s last day of school" in page
    # Reviewing changes nothing.
    assert OrganizationResetDate.tenant.of(org).get().reset_date == current


def test_confirming_sets_the_date_through_the_service_with_history_and_audit(
    client, org, dated, district_admin
):
    current = OrganizationResetDate.tenant.of(org).get().reset_date
    day = _allowed_day(dated, current)
    client.force_login(district_admin)
    response = client.post(_url(org), {"date": day.isoformat()})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:organization", args=[org.site_code])
    record = OrganizationResetDate.tenant.of(org).get()
    assert record.reset_date == day and record.source == "district_admin"
    change = ResetDateChange.tenant.of(org).latest("at")
    assert change.via == "portal" and change.from_date == current
    assert AuditEvent.objects.filter(
        action="resetdates.date_set", organization=org, via="portal"
    ).exists()


def test_posting_a_holiday_anyway_is_refused_by_the_service_and_changes_nothing(
    client, org, dated, district_admin
):
    current = OrganizationResetDate.tenant.of(org).get().reset_date
    holiday = first_weekday_holiday(org, dated)
    client.force_login(district_admin)
    response = client.post(_url(org), {"date": holiday.isoformat()})
    assert response.status_code == 400
    assert "is a holiday (" in response.content.decode()
    assert OrganizationResetDate.tenant.of(org).get().reset_date == current
    assert not AuditEvent.objects.filter(action="resetdates.date_set").exists()


def test_a_garbled_date_is_a_clear_error(client, org, dated, district_admin):
    client.force_login(district_admin)
    response = client.post(_url(org), {"date": "next friday"})
    assert response.status_code == 400
    assert "is not a date" in response.content.decode()


def test_a_locked_date_cannot_be_changed_here(client, org, dated, district_admin):
    from django.utils import timezone

    OrganizationResetDate.tenant.of(org).update(locked_at=timezone.now())
    client.force_login(district_admin)
    page = client.get(_url(org)).content.decode()
    assert "its date is locked" in page
    assert 'name="date" value=' not in page


def test_the_date_page_lists_the_cycles_history(client, org, dated, district_admin):
    current = OrganizationResetDate.tenant.of(org).get().reset_date
    day = _allowed_day(dated, current)
    client.force_login(district_admin)
    client.post(_url(org), {"date": day.isoformat()})
    page = client.get(_url(org)).content.decode()
    assert "History of this cycle" in page
    assert "home-da" in page and day.strftime("%b %-d, %Y").replace(" 0", " ") in page


def test_recording_the_school_days_feeds_the_warnings(client, org, dated, district_admin):
    current = OrganizationResetDate.tenant.of(org).get().reset_date
    day = _allowed_day(dated, current)
    client.force_login(district_admin)
    response = client.post(
        reverse("portal:school-days", args=[org.site_code]),
        {"last_day_of_school": "", "last_day_of_summer_school": (day + timedelta(1)).isoformat()},
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.last_day_of_school is None and org.last_day_of_summer_school == day + timedelta(1)
    assert AuditEvent.objects.filter(action="organization.school_days_set", via="portal").exists()
    page = client.get(_url(org), {"date": day.isoformat()}).content.decode()
    assert "last day of summer school" in page


def test_school_days_are_for_the_district_admin_only(client, org, dated, teacher, outsider):
    for user in (teacher, outsider):
        client.force_login(user)
        response = client.post(
            reverse("portal:school-days", args=[org.site_code]),
            {"last_day_of_school": "2027-06-10"},
        )
        assert response.status_code == 404
    org.refresh_from_db()
    assert org.last_day_of_school is None
    assert not AuditEvent.objects.filter(action="organization.school_days_set").exists()
