"""The reset engine's view of the reset calendar.

A small adapter so the engine does not depend on the calendar app's internals; it
prefers the calendar's own services when they exist.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from yearend.errors import NotFound
from yearend.organizations.models import Organization
from yearend.resetdates.models import OrganizationResetDate, ResetCycle


def cycle_for_today(organization: Organization, now: datetime | None = None) -> ResetCycle:
    """The cycle an off-schedule reset belongs to: the calendar's current cycle (the next
    whose window has not closed, the one the district's date is shown for), else the
    latest cycle that has begun."""
    from yearend.resetdates.selectors import current_cycle

    today = local_today(organization, now)
    try:
        return current_cycle(today)
    except NotFound:
        pass
    cycle = ResetCycle.objects.filter(year__lte=today.year).order_by("-year").first()
    if cycle is None:
        raise NotFound("No reset cycle is configured yet.", field="cycle")
    return cycle


def local_today(organization: Organization, now: datetime | None = None) -> date:
    now = now or timezone.now()
    return now.astimezone(ZoneInfo(organization.time_zone)).date()


def reset_date_for(organization: Organization, cycle: ResetCycle) -> date | None:
    row = OrganizationResetDate.tenant.of(organization).filter(cycle=cycle).first()
    return row.reset_date if row else None


def reset_date_lock(*, organization: Organization, cycle: ResetCycle) -> None:
    """Lock the date (rule 6). Idempotent; an off-schedule reset may have no date."""
    if not OrganizationResetDate.tenant.of(organization).filter(cycle=cycle).exists():
        return
    try:
        from yearend.resetdates.services import reset_date_lock as calendar_lock
    except ImportError:
        calendar_lock = None
    if calendar_lock is not None:
        calendar_lock(organization=organization, cycle=cycle)
        return
    OrganizationResetDate.tenant.of(organization).filter(
        cycle=cycle, locked_at__isnull=True
    ).update(locked_at=timezone.now())


def dates_due(now: datetime) -> list[tuple[Organization, ResetCycle, date]]:
    """Every (organization, cycle, date) whose reset date has begun in the organization's
    own time zone and which has no run yet. Never early: the local date must have come."""
    from yearend.resets.models import ResetRun

    started = set(ResetRun.unscoped.values_list("organization_id", "cycle_id"))
    due = []
    rows = (
        OrganizationResetDate.unscoped.select_related("organization", "cycle")
        .filter(reset_date__lte=now.date() + timedelta(days=1))
        .order_by("reset_date", "id")
    )
    for row in rows:
        if (row.organization_id, row.cycle_id) in started:
            continue
        if local_today(row.organization, now) >= row.reset_date:
            due.append((row.organization, row.cycle, row.reset_date))
    return due
