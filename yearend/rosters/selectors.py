"""Reads about roster imports, for the reset engine, reports and the portal."""

from __future__ import annotations

from django.db.models import QuerySet

from yearend.organizations.models import Organization
from yearend.rosters.models import HeldImport, ImportRun


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
