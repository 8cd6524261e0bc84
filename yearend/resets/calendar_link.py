"""The reset engine's view of the reset calendar.

A small adapter so the engine does not depend on the calendar app's internals; it
prefers the calendar's own services when they exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef
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


def dates_due(now: datetime) -> Iterator[tuple[Organization, ResetCycle, date]]:
    """Every (organization, cycle, date) whose reset date has begun in the organization's
    own time zone and which has no run yet. Never early: the local date must have come.
    Objects are loaded only for what the caller takes (see ``due_keys``)."""
    for organization_id, cycle_id, reset_date in due_keys(now):
        yield (
            Organization.objects.get(pk=organization_id),
            ResetCycle.objects.get(pk=cycle_id),
            reset_date,
        )


def due_keys(now: datetime) -> Iterator[tuple[int, int, date]]:
    """(organization id, cycle id, date) of every due reset without a run, in date order.

    One set-based query (the runs are excluded in SQL) of plain values, so a tick over
    twenty thousand organizations stays fast."""
    from yearend.resets.models import ResetRun

    has_run = ResetRun.unscoped.filter(
        organization_id=OuterRef("organization_id"), cycle_id=OuterRef("cycle_id")
    )
    rows = (
        OrganizationResetDate.unscoped
        # Tomorrow in UTC is the latest date that can have begun somewhere (UTC+14).
        .filter(reset_date__lte=now.date() + timedelta(days=1))
        .exclude(Exists(has_run))
        .order_by("reset_date", "id")
        .values_list("organization_id", "cycle_id", "reset_date", "organization__time_zone")
    )
    zones: dict[str, ZoneInfo] = {}
    for organization_id, cycle_id, reset_date, zone in rows:
        local = now.astimezone(zones.setdefault(zone, ZoneInfo(zone))).date()
        if local >= reset_date:
            yield organization_id, cycle_id, reset_date
