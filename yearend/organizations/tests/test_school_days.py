from datetime import date

import pytest

from yearend.audit.models import AuditEvent
from yearend.errors import InvalidInput
from yearend.organizations.school_days import school_days_set

pytestmark = [pytest.mark.core, pytest.mark.django_db]

# Who may record them is the door's question (scoping): see the portal's
# test_school_days_are_for_the_district_admin_only.


def test_a_district_admin_records_the_school_days_with_an_audit_row(org, district_admin):
    school_days_set(
        organization=org,
        last_day_of_school=date(2027, 5, 28),
        last_day_of_summer_school=date(2027, 7, 2),
        acting_user=district_admin,
    )
    org.refresh_from_db()
    assert org.last_day_of_school == date(2027, 5, 28)
    assert org.last_day_of_summer_school == date(2027, 7, 2)
    event = AuditEvent.objects.get(action="organization.school_days_set")
    assert event.details["after"] == {
        "last_day_of_school": "2027-05-28",
        "last_day_of_summer_school": "2027-07-02",
    }


def test_summer_school_cannot_end_before_school(org, district_admin):
    with pytest.raises(InvalidInput, match="cannot be before"):
        school_days_set(
            organization=org,
            last_day_of_school=date(2027, 6, 10),
            last_day_of_summer_school=date(2027, 6, 1),
            acting_user=district_admin,
        )
    org.refresh_from_db()
    assert org.last_day_of_school is None
