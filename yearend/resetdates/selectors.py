"""Reads of the reset calendar."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core import signing
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from yearend.errors import NotFound
from yearend.organizations.models import Organization
from yearend.resetdates import rules
from yearend.resetdates.models import (
    OrganizationResetDate,
    ResetCycle,
    ResetDateChange,
    ResetDateSource,
)

FEED_SALT = "yearend.resetdates.calendar-feed"


def utc_today(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(UTC).date()


def organization_today(organization: Organization, now: datetime | None = None) -> date:
    """Today in the organization's own time zone, which is what rule 4(d) means by today."""
    return rules.local_today(organization.time_zone, now or timezone.now())


def current_cycle(today: date | None = None) -> ResetCycle:
    """The next cycle whose window has not closed (its last day is today or later)."""
    today = today or utc_today()
    cycle = open_cycles(today).first()
    if cycle is None:
        raise NotFound(
            f"No reset cycle is open on {today.isoformat()}: "
            "operations must create one (reset_cycle create YEAR --defaults ...).",
            field="cycle",
        )
    return cycle


def open_cycles(today: date) -> QuerySet[ResetCycle]:
    """Cycles whose window has not closed on ``today``, the current one first."""
    return ResetCycle.objects.filter(window_end__gte=today).order_by("year")


def cycle_by_year(year: int) -> ResetCycle:
    try:
        return ResetCycle.objects.get(year=year)
    except ResetCycle.DoesNotExist:
        raise NotFound(f"Unknown reset cycle {year}.", field="cycle") from None


def cycle_for(year: int | None, today: date | None = None) -> ResetCycle:
    """The named cycle, or the current one when no year is given (the issue's default)."""
    return current_cycle(today) if year is None else cycle_by_year(year)


def default_dates(cycle: ResetCycle) -> list[date]:
    return list(cycle.defaults.order_by("date").values_list("date", flat=True))


def previous_cycle(cycle: ResetCycle) -> ResetCycle | None:
    return ResetCycle.objects.filter(year__lt=cycle.year).order_by("-year").first()


def reset_date_for(
    organization: Organization, cycle: ResetCycle | None = None
) -> OrganizationResetDate | None:
    """The organization's reset date in ``cycle`` (default: the current cycle), or None
    when it has none or no cycle is open."""
    if cycle is None:
        try:
            cycle = current_cycle()
        except NotFound:
            return None
    return (
        OrganizationResetDate.tenant.of(organization)
        .select_related("cycle")
        .filter(cycle=cycle)
        .first()
    )


def organizations_due(now: datetime | None = None) -> list[OrganizationResetDate]:
    """Unlocked reset dates whose day has begun in the organization's own time zone (rule 8).

    The scheduler crosses tenants on purpose, hence ``unscoped``. The database narrows the
    candidates with a bound that is safe for every zone (UTC+14 is the earliest); the exact
    local start of day is then checked per organization.
    """
    now = now or timezone.now()
    latest_possible_day = utc_today(now) + timedelta(days=1)
    candidates = (
        OrganizationResetDate.unscoped.filter(
            locked_at__isnull=True, reset_date__lte=latest_possible_day
        )
        .select_related("organization", "cycle")
        .order_by("reset_date", "organization__site_code")
    )
    return [
        record
        for record in candidates
        if rules.start_of_day(record.reset_date, record.organization.time_zone) <= now
    ]


def allowed_days_for(
    organization: Organization, cycle: ResetCycle, *, today: date | None = None
) -> list[date]:
    """Every day a district administrator of the organization could choose today."""
    return rules.allowed_days(
        window_start=cycle.window_start,
        window_end=cycle.window_end,
        country=organization.country,
        subdivision=organization.subdivision,
        today=today or organization_today(organization),
    )


def reset_date_history(organization: Organization, cycle: ResetCycle) -> list[ResetDateChange]:
    return list(ResetDateChange.tenant.of(organization).filter(cycle=cycle).order_by("at", "id"))


def reset_date_show(organization: Organization, cycle: ResetCycle) -> dict[str, Any]:
    """What ``reset_date show --json`` prints."""
    record = reset_date_for(organization, cycle)
    return {
        "site_code": organization.site_code,
        "cycle": cycle.year,
        "reset_date": record.reset_date.isoformat() if record else None,
        "source": record.source if record else None,
        "locked": bool(record and record.locked_at),
        "history": [
            {
                "at": change.at.isoformat(),
                "by": change.changed_by_label,
                "from": change.from_date.isoformat() if change.from_date else None,
                "to": change.to_date.isoformat(),
                "reason": change.reason,
                "via": change.via,
            }
            for change in reset_date_history(organization, cycle)
        ],
    }


def calendar_feed_token(organization: Organization) -> str:
    """The secret part of the organization's private calendar URL.

    Signed with SECRET_KEY, so it cannot be guessed or forged from a site code; rotating
    the key revokes every feed URL at once.
    """
    return signing.Signer(salt=FEED_SALT).sign(str(organization.pk)).replace(":", ".")


def organization_for_feed_token(token: str) -> Organization:
    try:
        organization_id = signing.Signer(salt=FEED_SALT).unsign(token.replace(".", ":"))
        return Organization.objects.get(pk=int(organization_id))
    except (signing.BadSignature, ValueError, Organization.DoesNotExist):
        raise NotFound("No such calendar.") from None


def calendar_feed_path(organization: Organization) -> str:
    return reverse("portal:calendar-feed", kwargs={"token": calendar_feed_token(organization)})


# --- Across organizations, for the notices: each one query over all of them ------------------


def reset_date_changes_between(after: datetime, until: datetime) -> QuerySet[ResetDateChange]:
    """Every organization's date assignments and changes recorded after ``after`` up to
    ``until``, oldest first. Each says whether it was the default assignment rather than
    someone's choice (``assigned_by_default``)."""
    return (
        ResetDateChange.unscoped.filter(at__gt=after, at__lte=until)
        .annotate(
            assigned_by_default=ExpressionWrapper(
                Q(source=ResetDateSource.DEFAULT), output_field=BooleanField()
            )
        )
        .select_related("organization", "cycle", "changed_by")
        .order_by("at", "id")
    )


def reset_dates_not_started(*, first: date, last: date) -> QuerySet[OrganizationResetDate]:
    """Every organization's reset dates from ``first`` to ``last`` whose reset has not
    started (a reset locks its date when it starts), with organization and cycle."""
    return OrganizationResetDate.unscoped.filter(
        locked_at__isnull=True, reset_date__gte=first, reset_date__lte=last
    ).select_related("organization", "cycle")


def reset_days_not_started(organization_ids: Iterable[int]) -> set[tuple[int, date]]:
    """(organization id, reset date) of each of these organizations' resets not started."""
    return set(
        OrganizationResetDate.unscoped.filter(
            organization_id__in=set(organization_ids), locked_at__isnull=True
        ).values_list("organization_id", "reset_date")
    )
