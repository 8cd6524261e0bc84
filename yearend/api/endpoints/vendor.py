"""For customer-success managers and operations: every organization, overrides,
default assignment and reset runs across tenants."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from django.db.models import OuterRef, Subquery
from ninja import Field, Query, Router, Schema

from yearend import scoping
from yearend.api.access import CycleYear, SiteCode, caller
from yearend.api.endpoints.calendar import ResetDateIn, ResetDateSetOut, reset_date_out
from yearend.api.endpoints.resets import RunOut, run_out
from yearend.api.errors import ERROR_RESPONSES
from yearend.audit.models import Via
from yearend.organizations.models import Organization
from yearend.resetdates.models import OrganizationResetDate
from yearend.resetdates.selectors import cycle_for
from yearend.resetdates.services import reset_date_set, reset_dates_assign
from yearend.resets.models import ResetRun

router = Router(tags=["vendor"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


class VendorOrganizationOut(Schema):
    site_code: str
    name: str
    country: str
    subdivision: str
    time_zone: str
    reset_date: date | None
    reset_date_source: str | None
    locked: bool
    run_status: str | None


class VendorOrganizationsOut(Schema):
    cycle: int
    total: int
    items: list[VendorOrganizationOut]


class AssignIn(Schema):
    # Left out: the current cycle, no capacity. An explicit null is refused (422) instead
    # of being read as "left out": a client that sends null has lost a value.
    cycle: int = Field(None, ge=2000, le=2200)
    capacity: int = Field(None, ge=1, le=10_000_000)


class AssignOut(Schema):
    cycle: int
    assigned: int
    already_set: int
    on_other_dates: int
    per_default: list[dict[str, Any]]


@router.get("/vendor/organizations", response={200: VendorOrganizationsOut, **ERROR_RESPONSES})
def vendor_organizations(
    request,
    cycle: CycleYear = None,
    search: Annotated[str | None, Query(max_length=100)] = None,
    country: Annotated[str | None, Query(max_length=2)] = None,
    reset_date_from: date | None = None,
    reset_date_to: date | None = None,
    without_date: bool = False,
    run_status: Literal["none", "running", "failed", "succeeded"] | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    """Every customer with its reset date and run in the cycle, filtered and paged."""
    scoping.vendor_staff(caller(request))
    found = cycle_for(cycle)
    dates = OrganizationResetDate.unscoped.filter(organization=OuterRef("pk"), cycle=found)
    runs = ResetRun.unscoped.filter(organization=OuterRef("pk"), cycle=found)
    organizations = Organization.objects.annotate(
        reset_date=Subquery(dates.values("reset_date")[:1]),
        reset_date_source=Subquery(dates.values("source")[:1]),
        locked_at=Subquery(dates.values("locked_at")[:1]),
        run_status=Subquery(runs.values("status")[:1]),
    )
    if search:
        organizations = organizations.filter(site_code__icontains=search) | organizations.filter(
            name__icontains=search
        )
    if country:
        organizations = organizations.filter(country__iexact=country)
    if reset_date_from:
        organizations = organizations.filter(reset_date__gte=reset_date_from)
    if reset_date_to:
        organizations = organizations.filter(reset_date__lte=reset_date_to)
    if without_date:
        organizations = organizations.filter(reset_date__isnull=True)
    if run_status == "none":
        organizations = organizations.filter(run_status__isnull=True)
    elif run_status:
        organizations = organizations.filter(run_status=run_status)
    organizations = organizations.order_by("site_code")
    return {
        "cycle": found.year,
        "total": organizations.count(),
        "items": [
            {
                "site_code": o.site_code,
                "name": o.name,
                "country": o.country,
                "subdivision": o.subdivision,
                "time_zone": o.time_zone,
                "reset_date": o.reset_date,
                "reset_date_source": o.reset_date_source,
                "locked": o.locked_at is not None,
                "run_status": o.run_status,
            }
            for o in organizations[offset : offset + limit]
        ],
    }


@router.put(
    "/vendor/organizations/{site_code}/reset-date",
    response={200: ResetDateSetOut, **ERROR_RESPONSES},
)
def vendor_override(request, site_code: SiteCode, payload: ResetDateIn):
    """Override an organization's date (customer-success managers): any future day,
    outside the window included; a reason is required and kept in the history."""
    user = scoping.vendor_staff(caller(request))
    organization = scoping.organization_for(user, site_code)
    found = cycle_for(payload.cycle)
    result = reset_date_set(
        organization=organization,
        cycle=found,
        new_date=payload.date,
        acting_user=user,
        reason=payload.reason,
        via=Via.API,
    )
    return {**reset_date_out(organization, found), "warnings": result.warnings}


@router.post("/vendor/reset-dates/assign", response={200: AssignOut, **ERROR_RESPONSES})
def vendor_assign(request, payload: AssignIn):
    """Give every organization without a date in the cycle its default date (idempotent)."""
    user = scoping.vendor_staff(caller(request))
    result = reset_dates_assign(
        cycle=cycle_for(payload.cycle), capacity=payload.capacity, acting_user=user, via=Via.API
    )
    return {
        "cycle": result.cycle.year,
        "assigned": result.assigned,
        "already_set": result.already_set,
        "on_other_dates": result.on_other_dates,
        "per_default": [
            {
                "date": load.date.isoformat(),
                "organizations": load.organizations,
                "students": load.students,
                "newly_assigned": load.newly_assigned,
            }
            for load in result.per_default
        ],
    }


@router.get("/vendor/reset-runs", response={200: list[RunOut], **ERROR_RESPONSES})
def vendor_runs(
    request,
    cycle: CycleYear = None,
    status: Literal["running", "failed", "succeeded"] | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    """Reset runs across all organizations, newest first."""
    scoping.vendor_staff(caller(request))
    runs = ResetRun.unscoped.select_related("organization", "cycle").order_by("-started_at", "-id")
    if cycle is not None:
        runs = runs.filter(cycle=cycle_for(cycle))
    if status:
        runs = runs.filter(status=status)
    return [run_out(run) for run in runs[offset : offset + limit]]
