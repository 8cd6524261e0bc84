"""What is due: every notice is derived from persisted state, never from an event.

Other apps do not call us. Each pass asks their selectors (read-only) and works out which
notices should exist by now: a date change in the history, a reset date 30/14/7/1 days
ahead in the organization's own time zone, a finished or failed reset run, a held
import, a reset that should have started, syncs still paused after a reset. Whether a
notice was already recorded is the notice table's business (its unique key), so planning
can be repeated, replayed (``as_of``) or run by two workers at once.

Every read here is one query over all organizations (no per-organization loops), so a
pass stays cheap with thousands of customers. The facts of reports (an export downloaded,
an archive kept) come through the reset engine's hooks: notices and reports are
independent apps of one layer and do not import each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from yearend.notices.kinds import PRINT_REPORTS_DAYS, REMINDER_DAYS, NoticeKind
from yearend.people.models import Role
from yearend.people.selectors import active_operations_staff, active_people_by_organization
from yearend.resetdates import rules
from yearend.resetdates.selectors import reset_date_changes_between, reset_dates_not_started
from yearend.resets.hooks import kept_archives, last_export_downloads
from yearend.resets.selectors import (
    failed_runs,
    resets_started,
    runs_still_pausing_syncs,
    runs_succeeded_between,
    step_label,
)
from yearend.rosters.educator_cleanup import cleanup_candidate_counts
from yearend.rosters.selectors import (
    holds_pending_review,
    latest_roster_school_years,
    normalize_school_year,
)

if TYPE_CHECKING:
    from yearend.organizations.models import Organization
    from yearend.people.models import User
    from yearend.resetdates.models import OrganizationResetDate

# Events older than this are history, not news: a first pass on an old database (or a
# replay) does not mail people about last month's date changes.
EVENT_LOOKBACK = timedelta(days=7)
# A due reset normally starts within a minute (the reset tick); after this it is late.
NOT_STARTED_GRACE = timedelta(hours=1)
# Syncs a completed reset still holds paused after this long need a person.
SYNCS_PAUSED_AFTER = timedelta(days=1)
# An educator who has not signed in for this long is probably gone.
EDUCATOR_ABSENT_DAYS = 180
# An export older than this before the reset misses too much of the year to count.
EXPORT_FRESH_DAYS = 60


@dataclass(frozen=True)
class Clock:
    """When a pass runs. ``as_of`` replays a day: it is then "today" in every time zone."""

    now: datetime
    as_of: date | None = None

    @classmethod
    def for_pass(cls, *, now: datetime, as_of: date | None = None) -> Clock:
        if as_of is None:
            return cls(now=now)
        # Events up to the end of the replayed day (UTC), never beyond the real now.
        end_of_day = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)
        return cls(now=min(now, end_of_day), as_of=as_of)

    def today_in(self, time_zone: str) -> date:
        return self.as_of or rules.local_today(time_zone, self.now)


@dataclass
class Draft:
    """A notice to plan: one subject, several recipients."""

    organization: Organization
    kind: str
    subject_key: str
    recipients: list[User]
    context: dict[str, Any] = field(default_factory=dict)
    planned_for: date | None = None
    # Reminders list what is still undone; worked out only for drafts that are new.
    needs_undone: bool = False


# --- recipients ------------------------------------------------------------------------


def district_admins_of(organization_ids) -> dict[int, list[User]]:
    return active_people_by_organization(organization_ids, [Role.DISTRICT_ADMIN])


def educators_of(organization_ids) -> dict[int, list[User]]:
    return active_people_by_organization(organization_ids, [Role.TEACHER, Role.SCHOOL_ADMIN])


# --- district administrators: date assigned / changed ----------------------------------


def date_change_drafts(clock: Clock) -> list[Draft]:
    changes = list(reset_date_changes_between(clock.now - EVENT_LOOKBACK, clock.now))
    admins = district_admins_of(c.organization_id for c in changes)
    drafts = []
    for change in changes:
        person = change.changed_by
        drafts.append(
            Draft(
                organization=change.organization,
                kind=NoticeKind.DATE_ASSIGNED
                if change.assigned_by_default
                else NoticeKind.DATE_CHANGED,
                subject_key=f"change:{change.pk}",
                recipients=admins.get(change.organization_id, []),
                context={
                    "cycle": change.cycle,
                    "change": change,
                    "from_date": change.from_date,
                    "to_date": change.to_date,
                    "changed_by": (person.get_full_name() or person.username)
                    if person
                    else change.changed_by_label,
                    "changed_by_role": person.get_role_display() if person else "",
                    "reason": change.reason,
                    "at": change.at,
                },
            )
        )
    return drafts


# --- reminders before the reset ---------------------------------------------------------


def reminder_stage(days_left: int) -> int | None:
    """The reminder a reset ``days_left`` days ahead calls for: the smallest of 30/14/7/1
    that is not below it. A pass that missed a day still sends the current stage (once),
    never a pile of stale ones."""
    if days_left < 1:
        return None
    stages = [d for d in REMINDER_DAYS if d >= days_left]
    return min(stages) if stages else None


def upcoming_reset_dates(clock: Clock) -> list[tuple[OrganizationResetDate, int]]:
    """Unlocked reset dates 1-30 days ahead in each organization's own time zone."""
    # A bound safe for every zone (UTC-12 to UTC+14) narrows the rows in the database;
    # the exact local day is then checked per row.
    base = clock.as_of or clock.now.astimezone(UTC).date()
    candidates = reset_dates_not_started(
        first=base, last=base + timedelta(days=max(REMINDER_DAYS) + 2)
    )
    upcoming = []
    for record in candidates:
        days_left = (record.reset_date - clock.today_in(record.organization.time_zone)).days
        if 1 <= days_left <= max(REMINDER_DAYS):
            upcoming.append((record, days_left))
    return upcoming


def reminder_drafts(clock: Clock) -> list[Draft]:
    upcoming = upcoming_reset_dates(clock)
    organization_ids = [record.organization_id for record, _ in upcoming]
    admins = district_admins_of(organization_ids)
    educators = educators_of(organization_ids)
    drafts = []
    for record, days_left in upcoming:
        organization = record.organization
        common = {"cycle": record.cycle, "reset_date": record.reset_date, "days_left": days_left}
        stage = reminder_stage(days_left)
        key = f"{organization.pk}:{record.cycle.year}:{record.reset_date.isoformat()}"
        drafts.append(
            Draft(
                organization=organization,
                kind=NoticeKind.REMINDER,
                subject_key=f"reminder:{key}:{stage}",
                recipients=admins.get(organization.pk, []),
                planned_for=record.reset_date,
                context={**common, "stage": stage},
                needs_undone=True,
            )
        )
        if days_left <= PRINT_REPORTS_DAYS:
            drafts.append(
                Draft(
                    organization=organization,
                    kind=NoticeKind.PRINT_REPORTS,
                    subject_key=f"print:{key}",
                    recipients=educators.get(organization.pk, []),
                    planned_for=record.reset_date,
                    context=common,
                )
            )
    return drafts


@dataclass(frozen=True)
class Undone:
    export_missing: bool
    educators_to_clean_up: int
    roster_school_year: str | None
    new_school_year: str
    late_last_days: list[tuple[str, date]]

    @property
    def roster_still_last_year(self) -> bool:
        # No roster year known (no SIS sync): nothing to warn about.
        return bool(self.roster_school_year) and self.roster_school_year != self.new_school_year

    @property
    def items(self) -> int:
        return (
            int(self.export_missing)
            + int(self.educators_to_clean_up > 0)
            + int(self.roster_still_last_year)
            + len(self.late_last_days)
        )


def undone_items(drafts: list[Draft], clock: Clock) -> dict[int, Undone]:
    """What each organization of ``drafts`` has still to do before its reset, in four
    queries whatever the number of organizations."""
    by_org = {d.organization.pk: d for d in drafts}
    if not by_org:
        return {}
    ids = list(by_org)
    downloads = last_export_downloads(ids)
    absent = cleanup_candidate_counts(ids, not_signed_in_days=EDUCATOR_ABSENT_DAYS, now=clock.now)
    latest_year = latest_roster_school_years(ids)
    result = {}
    for org_id, draft in by_org.items():
        organization, reset_date = draft.organization, draft.planned_for
        fresh_from = rules.start_of_day(reset_date, organization.time_zone) - timedelta(
            days=EXPORT_FRESH_DAYS
        )
        last_download = downloads.get(org_id)
        late = [
            (label, last_day)
            for label, last_day in (
                ("last day of school", organization.last_day_of_school),
                ("last day of summer school", organization.last_day_of_summer_school),
            )
            # A reset on the last day itself already deletes that day's work.
            if last_day and reset_date <= last_day
        ]
        result[org_id] = Undone(
            export_missing=last_download is None or last_download < fresh_from,
            educators_to_clean_up=absent.get(org_id, 0),
            roster_school_year=normalize_school_year(latest_year[org_id])
            if latest_year.get(org_id)
            else None,
            # The 2024 reset starts school year 2024-25, which OneRoster calls "2025".
            new_school_year=str(draft.context["cycle"].year + 1),
            late_last_days=late,
        )
    return result


# --- after the reset --------------------------------------------------------------------


def completed_drafts(clock: Clock) -> list[Draft]:
    runs = list(runs_succeeded_between(clock.now - EVENT_LOOKBACK, clock.now))
    archives = kept_archives(runs)
    admins = district_admins_of(r.organization_id for r in runs)
    return [
        Draft(
            organization=run.organization,
            kind=NoticeKind.RESET_COMPLETED,
            subject_key=f"run:{run.pk}",
            recipients=admins.get(run.organization_id, []),
            context={
                "run": run,
                "cycle": run.cycle,
                "reset_date": run.reset_date,
                "archive": archives.get(run.pk),
            },
        )
        for run in runs
    ]


def held_import_drafts(clock: Clock) -> list[Draft]:
    holds = list(holds_pending_review(created_by=clock.now))
    admins = district_admins_of(h.organization_id for h in holds)
    return [
        Draft(
            organization=hold.organization,
            kind=NoticeKind.IMPORT_HELD,
            subject_key=f"hold:{hold.pk}",
            recipients=admins.get(hold.organization_id, []),
            context={"hold": hold, "reasons": hold.reasons, "at": hold.created_at},
        )
        for hold in holds
    ]


# --- operations -------------------------------------------------------------------------


def failed_run_drafts(clock: Clock, ops: list[User]) -> list[Draft]:
    return [
        Draft(
            organization=run.organization,
            kind=NoticeKind.OPS_RESET_FAILED,
            # A resumed run that fails again is a new failure: keyed by the attempt.
            subject_key=f"failed:{run.pk}:{run.attempts}",
            recipients=ops,
            context={"run": run, "cycle": run.cycle, "step": step_label(run.failed_step)},
        )
        for run in failed_runs()
    ]


def not_started_drafts(clock: Clock, ops: list[User]) -> list[Draft]:
    """Reset dates whose day began (locally) more than the grace ago, with no run yet."""
    late_by = clock.now - NOT_STARTED_GRACE
    utc_today = late_by.astimezone(UTC).date()
    candidates = [
        record
        for record in reset_dates_not_started(
            first=utc_today - EVENT_LOOKBACK, last=utc_today + timedelta(days=1)
        )
        if rules.start_of_day(record.reset_date, record.organization.time_zone) <= late_by
    ]
    started = resets_started(
        {r.organization_id for r in candidates}, {r.cycle_id for r in candidates}
    )
    return [
        Draft(
            organization=record.organization,
            kind=NoticeKind.OPS_RESET_NOT_STARTED,
            subject_key=(
                f"not_started:{record.organization_id}:{record.cycle.year}:"
                f"{record.reset_date.isoformat()}"
            ),
            recipients=ops,
            context={
                "cycle": record.cycle,
                "reset_date": record.reset_date,
                "due_at": rules.start_of_day(record.reset_date, record.organization.time_zone),
            },
        )
        for record in candidates
        if (record.organization_id, record.cycle_id) not in started
    ]


def syncs_paused_drafts(clock: Clock, ops: list[User]) -> list[Draft]:
    return [
        Draft(
            organization=run.organization,
            kind=NoticeKind.OPS_SYNCS_PAUSED,
            subject_key=f"paused:{run.pk}",
            recipients=ops,
            context={"run": run, "cycle": run.cycle},
        )
        for run in runs_still_pausing_syncs(finished_by=clock.now - SYNCS_PAUSED_AFTER)
    ]


def all_drafts(clock: Clock) -> list[Draft]:
    ops = active_operations_staff()
    return [
        *date_change_drafts(clock),
        *reminder_drafts(clock),
        *completed_drafts(clock),
        *held_import_drafts(clock),
        *failed_run_drafts(clock, ops),
        *not_started_drafts(clock, ops),
        *syncs_paused_drafts(clock, ops),
    ]
