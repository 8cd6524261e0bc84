"""Writes of the reset calendar: cycles, default assignment, date changes, the lock.

Each write runs in one transaction together with its history row (rule 7) and its
audit row, so a refused or failed change leaves nothing behind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone

from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.errors import Conflict, Forbidden, InvalidInput, NotFound
from yearend.organizations.models import Organization
from yearend.people.models import Role, Student, User
from yearend.resetdates import rules, selectors
from yearend.resetdates.models import (
    DefaultResetDate,
    OrganizationResetDate,
    ResetCycle,
    ResetDateChange,
    ResetDateSource,
)

DEFAULT_WINDOW = ((6, 1), (10, 1))


def _actor_label(user: User | None) -> str:
    return getattr(user, "username", None) or "system"


# --- cycles -----------------------------------------------------------------------------


@transaction.atomic
def reset_cycle_create(
    *,
    year: int,
    defaults: Sequence[date],
    window_start: date | None = None,
    window_end: date | None = None,
    acting_user: User | None = None,
    via: str = Via.COMMAND,
) -> ResetCycle:
    """Add a reset cycle with its default dates; the window defaults to Jun 1 - Oct 1."""
    if not 2000 <= year <= 2200:
        raise InvalidInput(f"Implausible cycle year {year}.", field="year")
    window_start = window_start or date(year, *DEFAULT_WINDOW[0])
    window_end = window_end or date(year, *DEFAULT_WINDOW[1])
    defaults = sorted(set(defaults))
    if not defaults:
        raise InvalidInput("A cycle needs at least one default date (--defaults).", "defaults")
    for name, day in (("--window-start", window_start), ("--window-end", window_end)):
        if day.year != year:
            raise InvalidInput(f"{name} {day.isoformat()} is not in {year}.", field="window")
    if window_end < window_start:
        raise InvalidInput(
            f"The window ends ({window_end.isoformat()}) before it starts "
            f"({window_start.isoformat()}).",
            field="window",
        )
    for day in defaults:
        if not window_start <= day <= window_end:
            raise InvalidInput(
                f"Default date {day.isoformat()} is outside the window "
                f"{window_start.isoformat()} to {window_end.isoformat()}.",
                field="defaults",
            )
    if ResetCycle.objects.filter(year=year).exists():
        raise Conflict(f"The {year} reset cycle already exists.", field="year")
    try:
        with transaction.atomic():
            cycle = ResetCycle.objects.create(
                year=year, window_start=window_start, window_end=window_end
            )
    except IntegrityError:
        raise Conflict(f"The {year} reset cycle already exists.", field="year") from None
    DefaultResetDate.objects.bulk_create(DefaultResetDate(cycle=cycle, date=d) for d in defaults)
    audit_record(
        action=AuditAction.CYCLE_CREATE,
        actor=acting_user,
        via=via,
        details={
            "year": year,
            "defaults": [d.isoformat() for d in defaults],
            "window": [window_start.isoformat(), window_end.isoformat()],
        },
    )
    return cycle


# --- default assignment (rule 3) ----------------------------------------------------------


@dataclass
class DefaultLoad:
    date: date
    organizations: int = 0
    students: int = 0
    newly_assigned: int = 0


@dataclass
class AssignmentResult:
    cycle: ResetCycle
    assigned: int = 0
    already_set: int = 0
    # Organizations whose chosen date is not one of the defaults.
    on_other_dates: int = 0
    per_default: list[DefaultLoad] = field(default_factory=list)


def _current_student_counts() -> dict[int, int]:
    # One grouped query over every tenant: the load report is an operations view.
    rows = (
        Student.unscoped.filter(epoch=F("organization__student_epoch"))
        .values("organization_id")
        .annotate(n=Count("id"))
    )
    return {row["organization_id"]: row["n"] for row in rows}


@transaction.atomic
def reset_dates_assign(
    *,
    cycle: ResetCycle,
    capacity: int | None = None,
    acting_user: User | None = None,
    via: str = Via.COMMAND,
    organizations: Iterable[Organization] | None = None,
) -> AssignmentResult:
    """Give every organization without a date in ``cycle`` a default date (rule 3).

    Idempotent: organizations that already have a date (assigned, or chosen by an
    administrator or a CSM) are left alone and still count towards ``capacity``.
    """
    if capacity is not None and capacity < 1:
        raise InvalidInput("--capacity must be at least 1.", field="capacity")
    defaults = selectors.default_dates(cycle)
    if not defaults:
        raise Conflict(f"The {cycle.year} cycle has no default dates.", field="cycle")
    # Lock the cycle row so two concurrent runs cannot both fill the last seat of a date.
    ResetCycle.objects.select_for_update().filter(pk=cycle.pk).first()

    existing = dict(
        OrganizationResetDate.unscoped.filter(cycle=cycle).values_list(
            "organization_id", "reset_date"
        )
    )
    load: Counter[date] = Counter(existing.values())
    previous = selectors.previous_cycle(cycle)
    previous_dates = (
        dict(
            OrganizationResetDate.unscoped.filter(cycle=previous).values_list(
                "organization_id", "reset_date"
            )
        )
        if previous
        else {}
    )
    pool = Organization.objects.all() if organizations is None else organizations
    pending = sorted((o for o in pool if o.pk not in existing), key=lambda o: o.site_code)

    new_dates: list[OrganizationResetDate] = []
    history: list[ResetDateChange] = []
    newly: Counter[date] = Counter()
    for organization in pending:
        target = rules.preferred_target(previous_dates.get(organization.pk), defaults, cycle.year)
        for candidate in rules.defaults_by_preference(target, defaults):
            if capacity is None or load[candidate] < capacity:
                break
        else:
            raise Conflict(
                f"Every default date of {cycle.year} already holds {capacity} organizations: "
                f"{len(pending) - len(new_dates)} more need a date. Raise --capacity or "
                "add a default date.",
                field="capacity",
            )
        load[candidate] += 1
        newly[candidate] += 1
        new_dates.append(
            OrganizationResetDate(
                organization=organization,
                cycle=cycle,
                reset_date=candidate,
                source=ResetDateSource.DEFAULT,
            )
        )
        history.append(
            ResetDateChange(
                organization=organization,
                cycle=cycle,
                changed_by=acting_user if getattr(acting_user, "pk", None) else None,
                changed_by_label=_actor_label(acting_user),
                from_date=None,
                to_date=candidate,
                source=ResetDateSource.DEFAULT,
                reason="Default date assigned",
                via=via,
            )
        )
    OrganizationResetDate.unscoped.bulk_create(new_dates)
    ResetDateChange.unscoped.bulk_create(history)

    students = _current_student_counts()
    all_dates = dict(existing)
    all_dates.update({record.organization_id: record.reset_date for record in new_dates})
    per_default = {d: DefaultLoad(date=d) for d in defaults}
    for organization_id, day in all_dates.items():
        if day in per_default:
            per_default[day].organizations += 1
            per_default[day].students += students.get(organization_id, 0)
    for day, n in newly.items():
        per_default[day].newly_assigned = n

    result = AssignmentResult(
        cycle=cycle,
        assigned=len(new_dates),
        already_set=len(existing),
        per_default=list(per_default.values()),
        on_other_dates=sum(1 for day in all_dates.values() if day not in per_default),
    )
    if not new_dates:
        # A re-run that changed nothing leaves no trace, so `make run` can call it freely.
        return result
    audit_record(
        action=AuditAction.DEFAULTS_ASSIGN,
        actor=acting_user,
        via=via,
        details={
            "cycle": cycle.year,
            "capacity": capacity,
            "assigned": result.assigned,
            "already_set": result.already_set,
            "per_default": {
                load.date.isoformat(): load.newly_assigned for load in result.per_default
            },
        },
    )
    return result


# --- date changes (rules 4-7, 13) -----------------------------------------------------------


@dataclass
class DateChangeResult:
    reset_date: OrganizationResetDate
    warnings: list[str]


def school_year_warnings(organization: Organization, day: date) -> list[str]:
    """Rule 13: warnings for a reset on ``day`` before the school year's recorded end."""
    # The reset begins at the start of its day, so a reset *on* the last day of school
    # already deletes that day's work: the last day itself is warned about too.
    warnings = []
    for label, last_day in (
        ("last day of school", organization.last_day_of_school),
        ("last day of summer school", organization.last_day_of_summer_school),
    ):
        if last_day and day <= last_day:
            warnings.append(
                f"Warning: {rules.format_day(day)} is not after {organization.name}'s "
                f"{label} ({rules.format_day(last_day)}); student work of that day "
                "and after would be deleted."
            )
    return warnings


def _source_for(user: User | None, organization: Organization) -> str:
    """Rule 4 and 5: who may move the date, and in which capacity."""
    if user is None or not user.is_active:
        raise Forbidden("Only an active account may change a reset date.", field="user")
    if user.role == Role.CSM:
        return ResetDateSource.CSM
    if user.role == Role.DISTRICT_ADMIN and user.organization_id == organization.pk:
        return ResetDateSource.DISTRICT_ADMIN
    raise Forbidden(
        f"{user.username} may not change the reset date of {organization.site_code}: only "
        "its district administrators and customer-success managers may.",
        field="user",
    )


@transaction.atomic
def reset_date_set(
    *,
    organization: Organization,
    cycle: ResetCycle,
    new_date: date,
    acting_user: User | None,
    reason: str = "",
    via: str = Via.PORTAL,
    now: datetime | None = None,
) -> DateChangeResult:
    """Move an organization's reset date within the rules; refusals name the failed rule.

    ``now`` is injectable so that "today in the organization's time zone" can be tested
    without freezing the clock.
    """
    source = _source_for(acting_user, organization)
    reason = (reason or "").strip()
    if new_date.year != cycle.year:
        raise InvalidInput(
            f"{rules.format_day(new_date)} is not in the {cycle.year} reset cycle.",
            field="date",
        )
    record = (
        OrganizationResetDate.tenant.of(organization)
        .select_for_update()
        .filter(cycle=cycle)
        .first()
    )
    today = selectors.organization_today(organization, now)
    if record is not None:
        if record.locked_at is not None:
            raise Conflict(
                f"The reset date of {organization.site_code} is locked: its reset started "
                f"on {rules.format_day(record.reset_date)}.",
                field="date",
            )
        if record.reset_date <= today:
            # The engine may not have locked it yet, but the day has begun (rule 8):
            # moving it now could run the reset twice or not at all.
            raise Conflict(
                f"The reset of {organization.site_code} began on "
                f"{rules.format_day(record.reset_date)}; its date can no longer move.",
                field="date",
            )
    if source == ResetDateSource.CSM:
        if not reason:
            raise InvalidInput(
                "A customer-success manager must give a reason for the change.", field="reason"
            )
        refusal = rules.future_refusal(new_date, today=today)
    else:
        refusal = rules.district_refusal(
            new_date,
            window_start=cycle.window_start,
            window_end=cycle.window_end,
            country=organization.country,
            subdivision=organization.subdivision,
            today=today,
        )
    if refusal:
        raise InvalidInput(refusal, field="date")

    from_date = record.reset_date if record else None
    if record is not None:
        if record.reset_date == new_date:
            raise InvalidInput(
                f"{rules.format_day(new_date)} is already the reset date of "
                f"{organization.site_code}.",
                field="date",
            )
        record.reset_date = new_date
        record.source = source
        record.save(update_fields=["reset_date", "source", "updated_at"])
    else:
        try:
            with transaction.atomic():
                record = OrganizationResetDate.unscoped.create(
                    organization=organization, cycle=cycle, reset_date=new_date, source=source
                )
        except IntegrityError:
            # Someone (an assignment run, another administrator) gave it a date meanwhile.
            raise Conflict(
                f"The reset date of {organization.site_code} was just set by someone else; "
                "look at it again and retry.",
                field="date",
            ) from None
    ResetDateChange.unscoped.create(
        organization=organization,
        cycle=cycle,
        changed_by=acting_user,
        changed_by_label=_actor_label(acting_user),
        from_date=from_date,
        to_date=new_date,
        source=source,
        reason=reason,
        via=via,
    )
    audit_record(
        action=AuditAction.DATE_SET,
        actor=acting_user,
        organization=organization,
        via=via,
        details={
            "cycle": cycle.year,
            "from": from_date.isoformat() if from_date else None,
            "to": new_date.isoformat(),
            "source": source,
            "outside_window": not cycle.window_start <= new_date <= cycle.window_end,
        },
    )
    return DateChangeResult(
        reset_date=record, warnings=school_year_warnings(organization, new_date)
    )


# --- the lock the reset engine takes (rule 6) --------------------------------------------


def reset_date_lock(
    *, organization: Organization, cycle: ResetCycle, now: datetime | None = None
) -> None:
    """Lock the organization's date in ``cycle`` because its reset has started. Idempotent.

    A conditional update, so concurrent callers (engine retries, several workers) lock
    once and only the one that did writes the audit row.
    """
    with transaction.atomic():
        locked = (
            OrganizationResetDate.tenant.of(organization)
            .filter(cycle=cycle, locked_at__isnull=True)
            .update(locked_at=now or timezone.now())
        )
        if locked:
            audit_record(
                action=AuditAction.DATE_LOCK,
                organization=organization,
                via=Via.SYSTEM,
                details={"cycle": cycle.year},
            )
            return
        if not OrganizationResetDate.tenant.of(organization).filter(cycle=cycle).exists():
            raise NotFound(
                f"{organization.site_code} has no reset date in the {cycle.year} cycle.",
                field="cycle",
            )
