"""The reset date: read, allowed days, set (the portal's rules and messages), history."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Router, Schema

from yearend import scoping
from yearend.api.access import CycleYear, SiteCode, caller
from yearend.api.errors import ERROR_RESPONSES
from yearend.audit.models import Via
from yearend.resetdates.selectors import (
    allowed_days_for,
    cycle_for,
    reset_date_for,
    reset_date_history,
)
from yearend.resetdates.services import reset_date_set

router = Router(tags=["reset date"])


class ResetDateOut(Schema):
    site_code: SiteCode
    cycle: int
    window_start: date
    window_end: date
    reset_date: date | None
    source: str | None
    locked: bool


class ResetDateSetOut(ResetDateOut):
    warnings: list[str]


class AllowedDaysOut(Schema):
    site_code: SiteCode
    cycle: int
    days: list[date]


class ResetDateIn(Schema):
    date: date
    # Left out: the current cycle; an explicit null is refused (see vendor.AssignIn).
    cycle: int = Field(None, ge=2000, le=2200)
    reason: str = Field("", max_length=2000)


class ChangeOut(Schema):
    at: datetime
    by: str
    from_date: date | None
    to_date: date
    source: str
    reason: str
    via: str


def reset_date_out(organization, cycle) -> dict:
    record = reset_date_for(organization, cycle)
    return {
        "site_code": organization.site_code,
        "cycle": cycle.year,
        "window_start": cycle.window_start,
        "window_end": cycle.window_end,
        "reset_date": record.reset_date if record else None,
        "source": record.source if record else None,
        "locked": bool(record and record.locked_at),
    }


@router.get(
    "/organizations/{site_code}/reset-date", response={200: ResetDateOut, **ERROR_RESPONSES}
)
def reset_date_read(request, site_code: SiteCode, cycle: CycleYear = None):
    """The reset date of the cycle (default: the current cycle)."""
    organization = scoping.organization_for(caller(request), site_code)
    return reset_date_out(organization, cycle_for(cycle))


@router.get(
    "/organizations/{site_code}/reset-date/allowed-days",
    response={200: AllowedDaysOut, **ERROR_RESPONSES},
)
def reset_date_allowed_days(request, site_code: SiteCode, cycle: CycleYear = None):
    """Every day a district administrator could choose today (window, weekdays, holidays)."""
    organization = scoping.managed_organization(caller(request), site_code)
    found = cycle_for(cycle)
    return {
        "site_code": organization.site_code,
        "cycle": found.year,
        "days": allowed_days_for(organization, found),
    }


@router.put(
    "/organizations/{site_code}/reset-date", response={200: ResetDateSetOut, **ERROR_RESPONSES}
)
def reset_date_change(request, site_code: SiteCode, payload: ResetDateIn):
    """Move the reset date. District administrators within the rules; customer-success
    managers any future day, with a reason. Refusals name the rule that failed."""
    organization = scoping.organization_for(caller(request), site_code)
    found = cycle_for(payload.cycle)
    result = reset_date_set(
        organization=organization,
        cycle=found,
        new_date=payload.date,
        acting_user=caller(request),
        reason=payload.reason,
        via=Via.API,
    )
    return {**reset_date_out(organization, found), "warnings": result.warnings}


@router.get(
    "/organizations/{site_code}/reset-date/history",
    response={200: list[ChangeOut], **ERROR_RESPONSES},
)
def reset_date_changes(request, site_code: SiteCode, cycle: CycleYear = None):
    """Every assignment and change of the date in the cycle, oldest first."""
    organization = scoping.managed_organization(caller(request), site_code)
    return [
        {
            "at": change.at,
            "by": change.changed_by_label,
            "from_date": change.from_date,
            "to_date": change.to_date,
            "source": change.source,
            "reason": change.reason,
            "via": change.via,
        }
        for change in reset_date_history(organization, cycle_for(cycle))
    ]
