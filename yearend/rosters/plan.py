"""Comparing a validated roster with the database: what would be added, changed, removed.

Schools, educators and classes (a few per hundred students) are compared here and the
plan holds their row ids and new values. Students and enrollments, the bulk of a roster,
stay in the staging tables: the database counts what would change (``Counted``) and the
apply runs the same conditions as statements (``StudentSets``, ``EnrollmentSets``), so
no Python structure grows with them. Counts per kind feed the safety holds (DESIGN rule
12) and the run record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from yearend.classes.models import Enrollment, SchoolClass, TeacherAssignment
from yearend.organizations.models import Organization, School
from yearend.people.models import SchoolMembership, Student, User
from yearend.rosters import staging
from yearend.rosters.oneroster.validate import Known, Roster
from yearend.rosters.staging import DELETED, ENROLLMENTS, SCHOOLS, STUDENT, USERS

KINDS = ("students", "educators", "classes", "enrollments")


@dataclass
class Change:
    existing: int = 0
    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)  # (id, new values)
    removed: list = field(default_factory=list)  # ids

    def counts(self) -> dict[str, int]:
        return {
            "existing": self.existing,
            "added": len(self.added),
            "changed": len(self.changed),
            "removed": len(self.removed),
        }


@dataclass
class Counted:
    """A change the database computed from the staging tables: how many rows."""

    existing: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "existing": self.existing,
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
        }


@dataclass
class Plan:
    epoch: int
    schools_new: dict[str, str] = field(default_factory=dict)  # sourcedId -> name
    schools_link: dict[str, int] = field(default_factory=dict)  # sourcedId -> id (by name)
    school_ids: dict[str, int] = field(default_factory=dict)  # sourcedId -> id (known)
    students: Counted = field(default_factory=Counted)
    educators: Change = field(default_factory=Change)
    classes: Change = field(default_factory=Change)
    enrollments: Counted = field(default_factory=Counted)
    assignments: Change = field(default_factory=Change)
    memberships: Change = field(default_factory=Change)
    errors: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        result = {kind: getattr(self, kind).counts() for kind in KINDS}
        result["teacher_assignments"] = self.assignments.counts()
        result["schools"] = {
            "existing": len(self.school_ids),
            "added": len(self.schools_new),
            "changed": len(self.schools_link),
            "removed": 0,
        }
        return result

    @property
    def is_empty(self) -> bool:
        return not any(
            c.added or c.changed or c.removed
            for c in (
                self.students,
                self.educators,
                self.classes,
                self.enrollments,
                self.assignments,
                self.memberships,
            )
        ) and not (self.schools_new or self.schools_link)


def known_for(organization: Organization) -> Known:
    epoch = organization.student_epoch
    return Known(
        organization_id=organization.pk,
        epoch=epoch,
        schools=set(
            School.tenant.of(organization)
            .exclude(sis_sourced_id="")
            .values_list("sis_sourced_id", flat=True)
        ),
        classes=set(
            SchoolClass.tenant.of(organization)
            .filter(epoch=epoch)
            .exclude(sis_sourced_id="")
            .values_list("sis_sourced_id", flat=True)
        ),
        educators=set(
            User.objects.filter(organization=organization, is_active=True)
            .exclude(sis_sourced_id="")
            .values_list("sis_sourced_id", flat=True)
        ),
    )


def plan_build(organization: Organization, roster: Roster) -> Plan:
    plan = Plan(epoch=organization.student_epoch)
    _schools(organization, roster, plan)
    staging.school_map_write({**plan.school_ids, **plan.schools_link})
    _educators(organization, roster, plan)
    _classes(organization, roster, plan)
    _students(organization, roster, plan)
    _links(organization, roster, plan)
    return plan


def _schools(organization, roster: Roster, plan: Plan) -> None:
    by_name = {}
    for pk, sourced_id, name in School.tenant.of(organization).values_list(
        "id", "sis_sourced_id", "name"
    ):
        if sourced_id:
            plan.school_ids[sourced_id] = pk
        else:
            by_name[name.lower()] = pk
    for sourced_id, name in roster.schools.items():
        if sourced_id in plan.school_ids:
            continue
        if name.lower() in by_name:
            plan.schools_link[sourced_id] = by_name.pop(name.lower())
        else:
            plan.schools_new[sourced_id] = name


def _removed(mode: str | None, existing: dict, wanted: dict, deleted: set) -> list:
    if mode == "bulk":
        return [row[0] for sid, row in existing.items() if sid not in wanted]
    return [existing[sid][0] for sid in deleted if sid in existing and sid not in wanted]


def _educators(organization, roster: Roster, plan: Plan) -> None:
    existing = {
        row[1]: row
        for row in User.objects.filter(organization=organization, is_active=True)
        .exclude(sis_sourced_id="")
        .values_list("id", "sis_sourced_id", "username", "first_name", "last_name", "email", "role")
    }
    inactive = dict(
        User.objects.filter(organization=organization, is_active=False)
        .exclude(sis_sourced_id="")
        .values_list("sis_sourced_id", "id")
    )
    change = plan.educators
    change.existing = len(existing)
    for sourced_id, person in roster.educators.items():
        values = (person.username, person.first_name, person.last_name, person.email, person.role)
        row = existing.get(sourced_id)
        if row is None:
            if sourced_id in inactive:
                # A returning educator keeps the account (and its history).
                change.changed.append((inactive[sourced_id], values))
            else:
                change.added.append((sourced_id, values))
        elif tuple(row[2:]) != values:
            change.changed.append((row[0], values))
    change.removed = _removed(
        roster.modes.get("users"), existing, roster.educators, roster.deleted_educators
    )
    taken = set(
        User.objects.filter(username__in=[v[0] for _, v in change.added]).values_list(
            "username", flat=True
        )
    )
    for sourced_id, values in change.added:
        if values[0] in taken:
            plan.errors.append(
                f"users.csv: username: '{values[0]}' (sourcedId {sourced_id}) is already "
                "the username of another account"
            )


def _classes(organization, roster: Roster, plan: Plan) -> None:
    school_of = {**plan.school_ids, **plan.schools_link}
    existing = {
        row[1]: row
        for row in SchoolClass.tenant.of(organization)
        .filter(epoch=plan.epoch)
        .exclude(sis_sourced_id="")
        .values_list("id", "sis_sourced_id", "name", "school_id", "grade")
    }
    change = plan.classes
    change.existing = len(existing)
    for sourced_id, (title, school, grade) in roster.classes.items():
        row = existing.get(sourced_id)
        if row is None:
            change.added.append((sourced_id, title, school, grade))
        elif (row[2], row[3], row[4]) != (title, school_of.get(school), grade):
            change.changed.append((row[0], (title, school, grade)))
    change.removed = _removed(
        roster.modes.get("classes"), existing, roster.classes, roster.deleted_classes
    )


def _students(organization, roster: Roster, plan: Plan) -> None:
    sets = StudentSets(organization.pk, plan.epoch, roster.modes.get("users"))
    plan.students = Counted(
        existing=sets.count(sets.existing()),
        added=sets.count(sets.added()),
        changed=sets.count(sets.changed()),
        removed=sets.count(sets.removed()),
    )


def _q(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


class StudentSets:
    """The organization's students of ``epoch`` against the staged students, as the
    FROM/WHERE of statements, with their parameters: stored students are ``s``, staged
    ones ``u``.

    "Has a sourcedId" is written ``NOT (x.sis_sourced_id = '')``, exactly as the partial
    unique indexes on (organization, epoch, sis_sourced_id) say it: SQLite uses a partial
    index only for a query whose terms repeat its condition, and with ``<> ''`` it looked
    each staged row up through another index, scanning the whole organization.
    """

    def __init__(self, organization_id: int, epoch: int, mode: str | None) -> None:
        self.org, self.epoch, self.mode = organization_id, epoch, mode
        self.stored = (
            "s.organization_id = %s AND s.epoch = %s AND NOT (s.sis_sourced_id = '')",
            [organization_id, epoch],
        )

    def existing(self) -> tuple[str, list]:
        where, params = self.stored
        return f"FROM {_q(Student)} s WHERE {where}", params

    def added(self) -> tuple[str, list]:
        where, params = self.stored
        return (
            f"FROM {USERS} u WHERE u.kind = '{STUDENT}' AND NOT EXISTS (SELECT 1 FROM "
            f"{_q(Student)} s WHERE {where} AND s.sis_sourced_id = u.sid)",
            params,
        )

    def changed(self) -> tuple[str, list]:
        """Stored students whose staged row differs. A school the import will create has
        no id yet (0 here), so its students count as changed, as they will be."""
        where, params = self.stored
        return (
            f"FROM {USERS} u JOIN {_q(Student)} s ON s.sis_sourced_id = u.sid AND {where} "
            f"LEFT JOIN {SCHOOLS} m ON m.sid = u.school_sid WHERE u.kind = '{STUDENT}' AND NOT ("
            "s.username = u.username AND s.first_name = u.first_name AND "
            "s.last_name = u.last_name AND s.grade = u.grade AND "
            "s.school_id = COALESCE(m.id, 0))",
            params,
        )

    def removed(self) -> tuple[str, list]:
        """Bulk: stored students the file does not list. Delta: those it deletes."""
        where, params = self.stored
        sql = (
            f"FROM {_q(Student)} s WHERE {where} AND NOT EXISTS (SELECT 1 FROM {USERS} u "
            f"WHERE u.sid = s.sis_sourced_id AND u.kind = '{STUDENT}')"
        )
        if self.mode != "bulk":
            sql += (
                f" AND EXISTS (SELECT 1 FROM {USERS} d "
                f"WHERE d.sid = s.sis_sourced_id AND d.kind = '{DELETED}')"
            )
        return sql, params

    @staticmethod
    def count(part: tuple[str, list]) -> int:
        return staging.fetch_one(f"SELECT COUNT(*) {part[0]}", part[1])


def _pairs(queryset, left: str, right: str, epoch_filter: dict) -> dict:
    return {
        (a, b): pk
        for pk, a, b in queryset.filter(**epoch_filter)
        .exclude(**{left: ""})
        .exclude(**{right: ""})
        .values_list("id", left, right)
        .iterator(chunk_size=20_000)
    }


def _diff_pairs(change: Change, existing: dict, wanted: set, mode, deleted: set) -> None:
    change.existing = len(existing)
    change.added = list(wanted.difference(existing))
    if mode == "bulk":
        change.removed = [existing[pair] for pair in existing.keys() - wanted]
    else:
        change.removed = [existing[p] for p in deleted if p in existing and p not in wanted]


class EnrollmentSets:
    """The organization's enrollments (of students and classes of ``epoch``) against the
    staged ones, as the FROM/WHERE of statements: stored enrollments are ``e`` (their
    class ``c``, student ``s``), staged ones ``w``."""

    def __init__(self, organization_id: int, epoch: int, mode: str | None) -> None:
        self.org, self.epoch, self.mode = organization_id, epoch, mode

    def _stored(self) -> tuple[str, list]:
        return (
            f"FROM {_q(Enrollment)} e "
            f"JOIN {_q(SchoolClass)} c ON c.id = e.school_class_id AND c.epoch = %s "
            "AND NOT (c.sis_sourced_id = '') "
            f"JOIN {_q(Student)} s ON s.id = e.student_id AND s.epoch = %s "
            "AND NOT (s.sis_sourced_id = '') WHERE e.organization_id = %s",
            [self.epoch, self.epoch, self.org],
        )

    def existing(self) -> tuple[str, list]:
        return self._stored()

    def resolved(self) -> tuple[str, list]:
        """Staged pairs with the stored class and student they name (NULL when absent)."""
        return (
            f"FROM {ENROLLMENTS} w LEFT JOIN {_q(SchoolClass)} c ON c.organization_id = %s "
            "AND c.epoch = %s AND c.sis_sourced_id = w.class_sid AND NOT (c.sis_sourced_id = '') "
            f"LEFT JOIN {_q(Student)} s ON s.organization_id = %s AND s.epoch = %s "
            "AND s.sis_sourced_id = w.user_sid AND NOT (s.sis_sourced_id = '') "
            f"WHERE w.kind = '{STUDENT}'",
            [self.org, self.epoch, self.org, self.epoch],
        )

    def not_stored(self) -> str:
        """The condition (over ``resolved``) of a pair not enrolled yet."""
        return (
            f"NOT EXISTS (SELECT 1 FROM {_q(Enrollment)} e WHERE e.organization_id = "
            f"{int(self.org)} AND e.student_id = s.id AND e.school_class_id = c.id)"
        )

    def added(self) -> tuple[str, list]:
        sql, params = self.resolved()
        return (
            "FROM (SELECT DISTINCT w.class_sid, w.user_sid "
            f"{sql} AND (c.id IS NULL OR s.id IS NULL OR {self.not_stored()})) added",
            params,
        )

    def removed(self) -> tuple[str, list]:
        """Bulk: stored pairs the file does not list. Delta: those it deletes."""
        sql, params = self._stored()
        sql += (
            f" AND NOT EXISTS (SELECT 1 FROM {ENROLLMENTS} w WHERE w.user_sid = s.sis_sourced_id"
            f" AND w.class_sid = c.sis_sourced_id AND w.kind = '{STUDENT}')"
        )
        if self.mode != "bulk":
            sql += (
                f" AND EXISTS (SELECT 1 FROM {ENROLLMENTS} d WHERE d.user_sid = s.sis_sourced_id"
                f" AND d.class_sid = c.sis_sourced_id AND d.kind = '{DELETED}')"
            )
        return sql, params

    count = staticmethod(StudentSets.count)


def _links(organization, roster: Roster, plan: Plan) -> None:
    mode = roster.modes.get("enrollments")
    if mode is not None:
        sets = EnrollmentSets(organization.pk, plan.epoch, mode)
        existing = sets.count(sets.existing())
        if existing:
            # Stored pairs are looked up among the staged ones. PostgreSQL would hash them,
            # but right after a large import its statistics still say the enrollment table
            # is small, and it loops over the staged rows for each stored pair instead.
            staging.index_pairs()
        plan.enrollments = Counted(
            existing=existing,
            added=sets.count(sets.added()),
            removed=sets.count(sets.removed()),
        )
        assigned = _pairs(
            TeacherAssignment.tenant.of(organization),
            "school_class__sis_sourced_id",
            "teacher__sis_sourced_id",
            {"school_class__epoch": plan.epoch},
        )
        _diff_pairs(
            plan.assignments, assigned, roster.assignments, mode, roster.deleted_assignments
        )
    if roster.modes.get("users") is not None:
        members = _pairs(
            SchoolMembership.tenant.of(organization),
            "user__sis_sourced_id",
            "school__sis_sourced_id",
            {},
        )
        wanted = {
            (sid, school)
            for sid, person in roster.educators.items()
            if person.role != "district_admin"
            for school in person.schools
        }
        touched = set(roster.educators) | roster.deleted_educators
        # Memberships follow the educator's row: only educators in this file change.
        existing = {p: pk for p, pk in members.items() if p[0] in touched}
        change = plan.memberships
        change.existing = len(members)
        change.added = [p for p in wanted if p not in existing]
        change.removed = [pk for p, pk in existing.items() if p not in wanted]
