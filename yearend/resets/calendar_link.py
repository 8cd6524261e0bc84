"""The reset engine's view of the reset calendar: an organization's cycle, date and
local day, and the lock of its date once its reset starts."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from yearend.errors import NotFound
from yearend.organizations.models import Organization
from yearend.resetdates.models import OrganizationResetDate, ResetCycle
from yearend.resetdates.selectors import current_cycle
from yearend.resetdates.services import reset_date_lock as calendar_reset_date_lock


def cycle_for_today(organization: Organization, now: datetime | None = None) -> ResetCycle:
    """The cycle an off-schedule reset belongs to: the calendar's current cycle (the next
    whose window has not closed, the one the district's date is shown for), else the
    latest cycle that has begun."""
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
    if OrganizationResetDate.tenant.of(organization).filter(cycle=cycle).exists():
        calendar_reset_date_lock(organization=organization, cycle=cycle)
