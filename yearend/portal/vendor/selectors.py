"""Reads for the vendor pages: every organization at once, so every read is set-based.

The organization list is one query with correlated subqueries (date, run, students)
filtered and paginated in the database; the load chart and run lists are grouped
queries. Nothing here loops over organizations issuing a query each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from yearend.organizations.models import Organization, School
from yearend.people.models import Student
from yearend.resetdates.models import OrganizationResetDate, ResetCycle
from yearend.resets.models import (
    STEP_ORDER,
    OffScheduleRequest,
    RequestStatus,
    ResetRun,
    SchoolPurge,
    Status,
    Step,
)

# The reset state of an organization in a cycle, as the list filters and shows it.
RESET_STATES = {
    "no_date": "No date yet",
    "scheduled": "Scheduled",
    Status.RUNNING: "Running",
    Status.FAILED: "Failed",
    Status.SUCCEEDED: "Done",
}
RUN_FILTERS = {"failed": Status.FAILED, "running": Status.RUNNING, "done": Status.SUCCEEDED}


def _current_students() -> Subquery:
    counted = (
        Student.unscoped.filter(organization_id=OuterRef("pk"), epoch=OuterRef("student_epoch"))
        .order_by()
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(counted, output_field=IntegerField())


def organizations_overview(
    cycle: ResetCycle,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    state: str = "",
    country: str = "",
    subdivision: str = "",
    time_zone: str = "",
    search: str = "",
) -> QuerySet[Organization]:
    """Organizations with their date, reset state and students in ``cycle``, filtered."""
    dates = OrganizationResetDate.unscoped.filter(organization_id=OuterRef("pk"), cycle=cycle)
    runs = ResetRun.unscoped.filter(organization_id=OuterRef("pk"), cycle=cycle)
    rows = Organization.objects.annotate(
        cycle_date=Subquery(dates.values("reset_date")[:1]),
        date_source=Subquery(dates.values("source")[:1]),
        run_id=Subquery(runs.values("pk")[:1]),
        run_status=Subquery(runs.values("status")[:1]),
    ).annotate(
        reset_state=Case(
            When(run_status__isnull=False, then="run_status"),
            When(cycle_date__isnull=False, then=Value("scheduled")),
            default=Value("no_date"),
            output_field=CharField(),
        ),
        students=Coalesce(_current_students(), 0),
    )
    if date_from:
        rows = rows.filter(cycle_date__gte=date_from)
    if date_to:
        rows = rows.filter(cycle_date__lte=date_to)
    if state:
        rows = rows.filter(reset_state=state)
    if country:
        rows = rows.filter(country__iexact=country)
    if subdivision:
        rows = rows.filter(subdivision__iexact=subdivision)
    if time_zone:
        rows = rows.filter(time_zone=time_zone)
    if search:
        rows = rows.filter(Q(site_code__icontains=search) | Q(name__icontains=search))
    return rows.order_by("cycle_date", "site_code")


def filter_choices() -> dict[str, list[str]]:
    """Countries, subdivisions and time zones in use: three DISTINCT queries."""
    base = Organization.objects.order_by()
    return {
        "countries": sorted(base.values_list("country", flat=True).distinct()),
        "subdivisions": sorted(
            s for s in base.values_list("subdivision", flat=True).distinct() if s
        ),
        "time_zones": sorted(base.values_list("time_zone", flat=True).distinct()),
    }


@dataclass
class DayLoad:
    day: date
    organizations: int
    students: int
    is_default: bool


def load_per_day(cycle: ResetCycle) -> list[DayLoad]:
    """Organizations and current students to reset on each day of ``cycle``.

    Two grouped queries (dates with their organizations, students per organization)
    joined here; the default dates appear even while nobody is on them."""
    students = dict(
        Student.unscoped.filter(epoch=F("organization__student_epoch"))
        .order_by()
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
    )
    days: dict[date, DayLoad] = {
        d: DayLoad(day=d, organizations=0, students=0, is_default=True)
        for d in cycle.defaults.values_list("date", flat=True)
    }
    for organization_id, day in OrganizationResetDate.unscoped.filter(cycle=cycle).values_list(
        "organization_id", "reset_date"
    ):
        load = days.setdefault(day, DayLoad(day=day, organizations=0, students=0, is_default=False))
        load.organizations += 1
        load.students += students.get(organization_id, 0)
    return [days[d] for d in sorted(days)]


def runs_overview(*, state: str = "", search: str = "") -> QuerySet[ResetRun]:
    # An organization-wide purge (one part, no school: SQLite) finishes all of the
    # organization's schools at once; otherwise each part is a school.
    organization_schools = (
        School.unscoped.filter(organization=OuterRef("organization"))
        .order_by()
        .values("organization")
        .annotate(n=Count("pk"))
        .values("n")
    )
    runs = (
        ResetRun.unscoped.select_related("organization", "cycle")
        .annotate(
            parts=Count("school_purges"),
            parts_done=Count("school_purges", filter=Q(school_purges__done=True)),
            whole=Count("school_purges", filter=Q(school_purges__school__isnull=True)),
        )
        .annotate(
            schools=Case(
                When(whole__gt=0, then=Subquery(organization_schools)),
                default=F("parts"),
                output_field=IntegerField(),
            ),
            schools_done=Case(
                When(whole__gt=0, parts_done=F("parts"), then=Subquery(organization_schools)),
                When(whole__gt=0, then=Value(0)),
                default=F("parts_done"),
                output_field=IntegerField(),
            ),
        )
    )
    if state in RUN_FILTERS:
        runs = runs.filter(status=RUN_FILTERS[state])
    if search:
        runs = runs.filter(
            Q(organization__site_code__icontains=search) | Q(organization__name__icontains=search)
        )
    return runs.order_by("-started_at", "-id")


def run_steps(run: ResetRun) -> list[dict]:
    """Each step of the run with its state: done, running, failed or waiting."""
    current = STEP_ORDER.index(run.step)
    steps = []
    for index, step in enumerate(STEP_ORDER):
        if step == Step.DONE:
            continue
        if run.status == Status.SUCCEEDED or index < current:
            state = "done"
        elif index == current:
            state = "failed" if run.status == Status.FAILED else "running"
        else:
            state = "waiting"
        steps.append({"value": step, "label": Step(step).label, "state": state})
    return steps


def run_schools(run: ResetRun) -> list[SchoolPurge]:
    purges = list(
        SchoolPurge.tenant.of(run.organization_id)
        .filter(run=run)
        .select_related("school")
        .order_by("school__name", "pk")
    )
    for purge in purges:
        purge.rows_deleted = sum(purge.deleted.values())
    return purges


def offschedule_requests(*, open_only: bool = False) -> QuerySet[OffScheduleRequest]:
    requests = OffScheduleRequest.unscoped.select_related(
        "organization", "requested_by", "decided_by", "run"
    ).order_by(Case(When(status=RequestStatus.PENDING, then=0), default=1), "-requested_at", "-id")
    return requests.filter(status=RequestStatus.PENDING) if open_only else requests
