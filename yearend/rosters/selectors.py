"""Reads about roster imports, for the reset engine, reports and the portal."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery

from yearend.organizations.models import Organization
from yearend.rosters.models import HeldImport, ImportRun, SyncState


def latest_roster_school_year(organization: Organization) -> str | None:
    """The school year (OneRoster ``schoolYear``, e.g. '2025' for 2024-25) of the
    latest applied roster, or None when no applied import named one."""
    run = rosters_naming_a_school_year(organization).first()
    return run.school_year if run else None


def rosters_naming_a_school_year(organization: Organization):
    """Applied imports that named a school year, newest first: the query behind
    ``latest_roster_school_year``, for a page that reads it inside a query of its own."""
    return (
        ImportRun.tenant.of(organization)
        .filter(status=ImportRun.Status.APPLIED)
        .exclude(school_year="")
        .order_by("-finished_at", "-id")
    )


def normalize_school_year(school_year: str | int) -> str:
    """'2025', 2025 and '2024-2025' / '2024-25' all mean the year ending in 2025."""
    text = str(school_year).strip()
    if "-" in text:
        start = int(text.split("-", 1)[0])
        return str(start + 1)
    return text


def roster_is_for_school_year(organization: Organization, school_year: str | int) -> bool:
    return latest_roster_school_year(organization) == normalize_school_year(school_year)


def import_runs_of(organization: Organization) -> QuerySet[ImportRun]:
    return ImportRun.tenant.of(organization).order_by("-started_at", "-id")


def pending_holds_of(organization: Organization) -> QuerySet[HeldImport]:
    # A hold stored before HeldBundlePart keeps its whole .zip in ``bundle``: not read here.
    return (
        HeldImport.tenant.of(organization)
        .filter(decision=HeldImport.Decision.PENDING)
        .defer("bundle")
    )


# --- Across organizations, for the notices: each one query over all of them ------------------


def latest_roster_school_years(organization_ids: Iterable[int]) -> dict[int, str | None]:
    """``latest_roster_school_year`` of each of these organizations."""
    return dict(
        Organization.objects.filter(pk__in=list(organization_ids))
        .annotate(
            roster_year=Subquery(
                rosters_naming_a_school_year(OuterRef("pk")).values("school_year")[:1]
            )
        )
        .values_list("pk", "roster_year")
    )


def holds_pending_review(*, created_by: datetime) -> QuerySet[HeldImport]:
    """Every organization's held imports created by then and still waiting for a decision."""
    return (
        HeldImport.unscoped.filter(decision=HeldImport.Decision.PENDING, created_at__lte=created_by)
        .select_related("organization", "run")
        .defer("bundle")  # as in pending_holds_of: an old hold keeps its whole .zip there
    )


def reset_runs_pausing_syncs() -> QuerySet:
    """The ids of the reset runs that still hold an organization's roster syncs paused, as
    ``reset_run_id`` values for a query of the reset runs to filter on."""
    return SyncState.unscoped.filter(
        reset_paused_at__isnull=False, reset_run_id__isnull=False
    ).values("reset_run_id")
