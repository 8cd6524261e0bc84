"""Why a bulk import must wait for a person (DESIGN rules 12 and 13)."""

from __future__ import annotations

from yearend.organizations.models import Organization
from yearend.rosters.importer.plan import Plan
from yearend.rosters.models import ImportRun, ImportSettings
from yearend.rosters.oneroster.roster import Roster

FILE_OF_KIND = {
    "students": "users",
    "educators": "users",
    "classes": "classes",
    "enrollments": "enrollments",
}


def thresholds_for(organization: Organization) -> ImportSettings:
    found = ImportSettings.tenant.of(organization).first()
    return found or ImportSettings(organization=organization)


def hold_reasons(organization: Organization, roster: Roster, plan: Plan) -> list[str]:
    reasons: list[str] = []
    if roster.modes.get("users") == "bulk" and roster.users_rows == 0:
        reasons.append(
            "users.csv is empty or has only its header: an empty file never means 'remove everyone'"
        )
    limits = thresholds_for(organization)
    for kind, file in FILE_OF_KIND.items():
        if roster.modes.get(file) != "bulk":
            continue
        change = getattr(plan, kind)
        if not change.existing:
            continue
        counts = change.counts()
        removed, changed = counts["removed"], counts["changed"]
        if removed * 100 > limits.max_removed_percent * change.existing:
            reasons.append(
                f"would remove {removed:,} of {change.existing:,} {kind} "
                f"({removed * 100 / change.existing:.0f}%, more than "
                f"{limits.max_removed_percent}%)"
            )
        if changed * 100 > limits.max_changed_percent * change.existing:
            reasons.append(
                f"would change {changed:,} of {change.existing:,} {kind} "
                f"({changed * 100 / change.existing:.0f}%, more than "
                f"{limits.max_changed_percent}%)"
            )
    reason = _last_years_roster(organization, roster)
    if reason:
        reasons.append(reason)
    return reasons


def _last_years_roster(organization: Organization, roster: Roster) -> str | None:
    """The first sync after a reset must not bring last school year's roster back."""
    last = (
        ImportRun.tenant.of(organization)
        .filter(status=ImportRun.Status.APPLIED)
        .order_by("-finished_at", "-id")
        .first()
    )
    if last is None or last.student_epoch is None:
        return None
    if last.student_epoch >= organization.student_epoch:
        return None
    if not roster.school_year or not last.school_year:
        return None
    if roster.school_year <= last.school_year:
        return (
            f"this is the first roster since the school-year reset and it is for school "
            f"year {roster.school_year}, no newer than the roster before the reset "
            f"({last.school_year}); the SIS may not have rolled over to the new year yet"
        )
    return None
