"""Reads the portal's pages are made of. Each takes what scoping already decided."""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.db.models import Count, F, Func, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from yearend import scoping
from yearend.classes.models import SchoolClass
from yearend.errors import NotFound
from yearend.organizations.models import Organization, School
from yearend.people.models import Student, User
from yearend.reports.deliveries import exports_downloaded, progress_reports_printed
from yearend.resetdates import rules
from yearend.resetdates.models import OrganizationResetDate, ResetCycle
from yearend.resetdates.selectors import (
    allowed_days_for,
    current_cycle,
    open_cycles,
    organization_today,
)
from yearend.resets.selectors import last_reset_finished_at
from yearend.rosters.educator_cleanup import educators_missing_from_roster, educators_removed
from yearend.rosters.selectors import rosters_naming_a_school_year


@dataclass(frozen=True)
class SchoolRow:
    school: School
    students: int
    classes: int


@dataclass(frozen=True)
class OrganizationSummary:
    schools: list[SchoolRow]
    students: int
    classes: int


def organization_summary(user, organization: Organization) -> OrganizationSummary:
    """What the user may see of one organization: its schools with current counts."""
    # The counting query is built once; scoping still decides which schools (its filter
    # joins the built query, as the request's own query).
    schools = _schools_with_counts() & scoping.schools_for(user, organization)
    rows = [SchoolRow(s, s.student_count, s.class_count) for s in schools]
    return OrganizationSummary(
        schools=rows,
        students=sum(r.students for r in rows),
        classes=sum(r.classes for r in rows),
    )


@functools.cache
def _schools_with_counts():
    """Schools with their current students and classes (of the organization's current
    roster epoch), built once per process: building the two count subqueries costs the
    ORM more CPU than PostgreSQL spends running them. Nothing in it depends on the
    request; the schools are scoped by &-ing the scoping query, each count to the school's
    organization through OuterRef."""
    return School.unscoped.annotate(
        student_count=_count_of(Student),
        class_count=_count_of(SchoolClass),
    )


def _count_of(model):
    # One count subquery per school and kind: joining both students and classes would
    # count their cross product (students x classes rows per school) before DISTINCT.
    rows = (
        model.tenant.of(OuterRef("organization_id"))
        .filter(school=OuterRef("pk"), epoch=OuterRef("organization__student_epoch"))
        .order_by()
        .values("school")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


# --- the reset date and its countdown ---------------------------------------------------


@dataclass(frozen=True)
class ResetDateView:
    cycle: ResetCycle | None
    record: OrganizationResetDate | None
    today: date
    days_left: int | None
    starts_at: datetime | None


def reset_date_view(organization: Organization, *, today: date | None = None) -> ResetDateView:
    """The current cycle's date of the organization, counted in its own time zone."""
    today = today or organization_today(organization)
    # The date with its cycle in one round trip (the current cycle as a subquery); the
    # cycle on its own only when the organization has no date in it.
    record = (
        OrganizationResetDate.tenant.of(organization)
        .select_related("cycle")
        .filter(cycle=Subquery(open_cycles(today).values("pk")[:1]))
        .first()
    )
    if record is None:
        try:
            return ResetDateView(current_cycle(today), None, today, None, None)
        except NotFound:
            return ResetDateView(None, None, today, None, None)
    cycle = record.cycle
    return ResetDateView(
        cycle,
        record,
        today,
        (record.reset_date - today).days,
        rules.start_of_day(record.reset_date, organization.time_zone),
    )


# --- the seed's recommended steps before a reset ----------------------------------------


@dataclass
class Step:
    key: str
    title: str
    done: bool
    detail: str
    link_name: str  # a portal URL name taking the site code


@dataclass(frozen=True)
class ManagerView:
    """What only those who manage the organization see on its home."""

    steps: list[Step]
    educators: int  # active educator accounts


# Earlier than any row: "after the previous reset" when there was none.
_BEFORE_ANY_RESET = datetime(1, 1, 1, tzinfo=UTC)
_FACTS = (
    "downloaded_at",
    "printed_at",
    "removal_at",
    "removed",
    "missing",
    "roster_year",
    "active_educators",
)


def manager_view(organization: Organization, cycle: ResetCycle | None) -> ManagerView:
    """The seed's four steps before a reset (which are done) and the educator count, in
    one query: each fact is a subquery of the organization's row. Under load a page waits
    for a busy CPU at every round trip, and five small queries cost five ORM builds."""
    facts = _manager_facts_query().filter(pk=organization.pk).get()
    return ManagerView(steps=_steps(facts, cycle), educators=facts["active_educators"])


@functools.cache
def _manager_facts_query():
    """Built once per process, for any organization (each subquery is scoped to the
    organization's row through OuterRef): building a query of a dozen subqueries costs
    the ORM several times the CPU PostgreSQL spends running it. A request clones it with
    its organization's pk; nothing in it depends on the time or the user. Each fact is
    read through the selector of the app that owns it."""
    organization = OuterRef("pk")
    # A new school year starts at the end of the previous reset: what happened before it
    # does not count. The steps' subqueries compare with this alias of the row.
    this_year = OuterRef("this_school_year_from")
    removed = educators_removed(organization, since=this_year)
    return (
        Organization.objects.alias(
            this_school_year_from=Coalesce(
                Subquery(last_reset_finished_at(organization)), Value(_BEFORE_ANY_RESET)
            )
        )
        .annotate(
            downloaded_at=Subquery(
                exports_downloaded(organization, since=this_year).values("downloaded_at")[:1]
            ),
            printed_at=Subquery(
                progress_reports_printed(organization, since=this_year).values("printed_at")[:1]
            ),
            removal_at=Subquery(removed.values("removed_at")[:1]),
        )
        .annotate(
            # One removal marks its educators with one time: the latest removal's count.
            removed=_count(removed.filter(removed_at=OuterRef("removal_at"))),
            missing=_count(educators_missing_from_roster(organization)),
            roster_year=Subquery(
                rosters_naming_a_school_year(organization).values("school_year")[:1]
            ),
            active_educators=_count(User.objects.filter(organization=organization, is_active=True)),
        )
        .order_by()
        .values(*_FACTS)
    )


def _count(queryset) -> Subquery:
    """COUNT(*) of ``queryset`` as a scalar subquery (no GROUP BY: one number)."""
    return Subquery(
        queryset.order_by().values(n=Func(F("pk"), function="COUNT")), output_field=IntegerField()
    )


def recommended_steps(organization: Organization, cycle: ResetCycle | None) -> list[Step]:
    """The four things the seed asks a district to do before its reset, and which are done."""
    return manager_view(organization, cycle).steps


def _steps(facts: dict, cycle: ResetCycle | None) -> list[Step]:
    downloaded_at, printed_at = facts["downloaded_at"], facts["printed_at"]
    removal_at, missing, roster_year = facts["removal_at"], facts["missing"], facts["roster_year"]
    removed = facts["removed"]
    new_year = str(cycle.year + 1) if cycle else None
    return [
        Step(
            "export",
            "Download the Student Data Export",
            downloaded_at is not None,
            f"Downloaded {downloaded_at:%b %-d, %Y}."
            if downloaded_at
            else "Not downloaded yet for this school year.",
            "portal:data",
        ),
        Step(
            "progress",
            "Print Student Progress reports",
            printed_at is not None,
            f"Printed {printed_at:%b %-d, %Y}."
            if printed_at
            else "No progress reports printed yet.",
            "portal:data",
        ),
        Step(
            "educators",
            "Clean up educators who have left",
            removal_at is not None or missing == 0,
            (f"{removed} removed {removal_at:%b %-d, %Y}. " if removal_at else "")
            + (
                f"{missing} educator(s) are not in the latest roster."
                if missing
                else "Every active educator is in the latest roster."
            ),
            "portal:educators",
        ),
        Step(
            "sis",
            "Update the SIS roster for the new school year",
            bool(new_year) and roster_year == new_year,
            (
                f"The latest roster is for school year {roster_year}"
                if roster_year
                else "No roster with a school year has been imported"
            )
            + (f"; the new school year is {new_year}." if new_year else "."),
            "portal:syncs",
        ),
    ]


# --- the month calendar of the date page ------------------------------------------------


@dataclass(frozen=True)
class CalendarDay:
    day: date | None  # None: padding before the 1st / after the last day of the month
    allowed: bool = False
    holiday: str | None = None
    why_not: str = ""
    is_current: bool = False


@dataclass
class CalendarMonth:
    year: int
    month: int
    weeks: list[list[CalendarDay]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{calendar.month_name[self.month]} {self.year}"

    @property
    def anchor(self) -> str:
        return f"{self.year}-{self.month:02d}"


def calendar_months(
    organization: Organization,
    cycle: ResetCycle,
    *,
    current: date | None,
    today: date | None = None,
) -> list[CalendarMonth]:
    """Every month of the cycle's window, each day marked allowed or with why not."""
    today = today or organization_today(organization)
    allowed = set(allowed_days_for(organization, cycle, today=today))
    months = []
    year, month = cycle.window_start.year, cycle.window_start.month
    while (year, month) <= (cycle.window_end.year, cycle.window_end.month):
        result = CalendarMonth(year, month)
        # Weeks start on Monday: the weekdays a reset may fall on come first.
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row = []
            for day in week:
                if day.month != month:
                    row.append(CalendarDay(None))
                    continue
                holiday = rules.holiday_name(
                    day, country=organization.country, subdivision=organization.subdivision
                )
                row.append(
                    CalendarDay(
                        day,
                        allowed=day in allowed,
                        holiday=holiday,
                        why_not="" if day in allowed else _why_not(day, cycle, today, holiday),
                        is_current=day == current,
                    )
                )
            result.weeks.append(row)
        months.append(result)
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return months


def _why_not(day: date, cycle: ResetCycle, today: date, holiday: str | None) -> str:
    # Short labels for the grid; the full sentence is the rule's own refusal message.
    if day <= today:
        return "past"
    if not cycle.window_start <= day <= cycle.window_end:
        return "outside the window"
    if day.weekday() >= 5:
        return "weekend"
    if holiday:
        return holiday
    return "not allowed"


def district_refusal(organization: Organization, cycle: ResetCycle, day: date) -> str | None:
    """The message the date service would refuse ``day`` with for a district administrator."""
    return rules.district_refusal(
        day,
        window_start=cycle.window_start,
        window_end=cycle.window_end,
        country=organization.country,
        subdivision=organization.subdivision,
        today=organization_today(organization),
    )


def week_day_names() -> list[tuple[str, str]]:
    return [(calendar.day_abbr[i], calendar.day_name[i]) for i in range(7)]


# --- what the reset deletes and keeps (DESIGN rule 10, the seed's table) ---------------

# (preview category, what the seed calls it, what it means for the district)
DELETED = [
    ("students", "Student accounts", "Every student account of every school."),
    (
        "credentials",
        "Student sign-in credentials",
        "Passwords and badges: old accounts cannot sign in.",
    ),
    (
        "sis_links",
        "Links to the SIS",
        "Returning students get brand-new accounts from the next roster.",
    ),
    ("tokens", "Tokens (Imagine Math PreK-2)", ""),
    ("think_points", "THINK Points (Imagine Math 3+)", ""),
    ("avatars", "Avatars (Imagine Math 3+)", ""),
    ("assessments", "Assessments", "Benchmark and placement results."),
    ("lesson_progress", "Progress", "Lesson results."),
    ("pathway_placements", "Pathway placements", "A student may be in several pathways."),
    ("usage_sessions", "Usage", "Sessions and minutes."),
    ("fact_fluency", "Fact fluency (Imagine Math Facts)", ""),
    ("classes", "Classes and groups", "New classes come with the new roster."),
    ("enrollments", "Enrollments", "Which student is in which class."),
    ("teacher_assignments", "Teacher assignments", "Which educator teaches which class."),
]
RETAINED = [
    ("educators", "Educator accounts", "Teachers and administrators keep their sign-in."),
    ("schools", "Schools", ""),
    ("organization", "The organization", "Its site code, licences and settings."),
    (None, "Reset history and the audit trail", "Who changed what, and when."),
    (None, "Deletion certificates", "Counts and times only, never student personal data."),
]


@dataclass(frozen=True)
class PreviewRow:
    key: str | None
    label: str
    note: str
    count: int | None


def deleted_rows(preview: dict) -> list[PreviewRow]:
    counts = preview["delete"]
    known = [PreviewRow(k, label, note, counts.get(k, 0)) for k, label, note in DELETED]
    # A table added to the reset later still shows, under its own name.
    extra = [
        PreviewRow(k, k.replace("_", " ").capitalize(), "", n)
        for k, n in counts.items()
        if k not in {row[0] for row in DELETED}
    ]
    return known + extra


def retained_rows(preview: dict) -> list[PreviewRow]:
    counts = preview["retain"]
    return [PreviewRow(k, label, note, counts.get(k) if k else None) for k, label, note in RETAINED]
