"""A district records its last day of school and of summer school (DESIGN rule 13).

The reset-date service warns about a date on or before them; the notices warn too. Only
the organization's district administrators record them: the door asks
``scoping.district_admin_organization`` before it calls ``school_days_set``.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.errors import InvalidInput
from yearend.organizations.models import Organization


@transaction.atomic
def school_days_set(
    *,
    organization: Organization,
    last_day_of_school: date | None,
    last_day_of_summer_school: date | None,
    acting_user,
    via: str = Via.PORTAL,
) -> Organization:
    """Record (or clear, with None) the two days; one audit row with before and after."""
    if (
        last_day_of_school
        and last_day_of_summer_school
        and last_day_of_summer_school < last_day_of_school
    ):
        raise InvalidInput(
            "The last day of summer school cannot be before the last day of school.",
            field="last_day_of_summer_school",
        )
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    before = {
        "last_day_of_school": _iso(locked.last_day_of_school),
        "last_day_of_summer_school": _iso(locked.last_day_of_summer_school),
    }
    locked.last_day_of_school = last_day_of_school
    locked.last_day_of_summer_school = last_day_of_summer_school
    locked.save(update_fields=["last_day_of_school", "last_day_of_summer_school"])
    audit_record(
        action=AuditAction.SCHOOL_DAYS_SET,
        actor=acting_user,
        organization=locked,
        via=via,
        details={
            "before": before,
            "after": {
                "last_day_of_school": _iso(last_day_of_school),
                "last_day_of_summer_school": _iso(last_day_of_summer_school),
            },
        },
    )
    return locked


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
