"""Comparing a validated roster with the database: what would be added, changed, removed.

Schools (a few per district) are compared here and the plan holds their ids and names.
Every other kind stays in the staging tables: the database counts what would change
(``Counted``) and the apply runs the same conditions as statements (``StudentSets``,
``EnrollmentSets``, ``EducatorSets``, ``MembershipSets``, ``ClassSets``,
``AssignmentSets``), so no Python structure grows with the roster. Counts per kind feed
the safety holds (DESIGN rule 12) and the run record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from yearend.classes.models import Enrollment, SchoolClass
from yearend.organizations.models import Organization, School
from yearend.people.models import Student
from yearend.rosters import staging
from yearend.rosters.class_sets import AssignmentSets, ClassSets
from yearend.rosters.educator_sets import EducatorSets, MembershipSets
from yearend.rosters.oneroster.validate import Known, Roster
from yearend.rosters.staging import DELETED, ENROLLMENTS, SCHOOLS, STUDENT, USERS

KINDS = ("students", "educators", "classes", "enrollments")


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
    educators: Counted = field(default_factory=Counted)
    classes: Counted = field(default_factory=Counted)
    enrollments: Counted = field(default_factory=Counted)
    assignments: Counted = field(default_factory=Counted)
    memberships: Counted = field(default_factory=Counted)
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
    return Known(
        organization_id=organization.pk,
        epoch=organization.student_epoch,
        schools=set(
            School.tenant.of(organization)
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


def _counted(sets, *, changed: bool = True) -> Counted:
    count = staging.count
    return Counted(
        existing=count(sets.existing()),
        added=count(sets.added()),
        changed=count(sets.changed()) if changed else 0,
        removed=count(sets.removed()),
    )


def _educators(organization, roster: Roster, plan: Plan) -> None:
    sets = EducatorSets(organization.pk, roster.modes.get("users"))
    plan.educators = _counted(sets)
    taken, params = sets.usernames_taken()
    rows, more = staging.found_rows("u.username, u.sid", f"{taken} ORDER BY u.line", params)
    for username, sourced_id in rows:
        plan.errors.append(
            f"users.csv: username: '{username}' (sourcedId {sourced_id}) is already "
            "the username of another account"
        )
    if more:
        plan.errors.append(f"users.csv: {more:,} more usernames already taken, not listed")


def _classes(organization, roster: Roster, plan: Plan) -> None:
    plan.classes = _counted(ClassSets(organization.pk, plan.epoch, roster.modes.get("classes")))


def _students(organization, roster: Roster, plan: Plan) -> None:
    plan.students = _counted(StudentSets(organization.pk, plan.epoch, roster.modes.get("users")))


_q = staging.table_of


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

    count = staticmethod(staging.count)


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

    count = staticmethod(staging.count)


def _links(organization, roster: Roster, plan: Plan) -> None:
    mode = roster.modes.get("enrollments")
    if mode is not None:
        sets = EnrollmentSets(organization.pk, plan.epoch, mode)
        assignments = AssignmentSets(organization.pk, plan.epoch, mode)
        existing = sets.count(sets.existing())
        if existing or staging.count(assignments.existing()):
            # Stored pairs are looked up among the staged ones. PostgreSQL would hash them,
            # but right after a large import its statistics still say the enrollment table
            # is small, and it loops over the staged rows for each stored pair instead.
            staging.index_pairs()
        plan.enrollments = Counted(
            existing=existing,
            added=sets.count(sets.added()),
            removed=sets.count(sets.removed()),
        )
        plan.assignments = _counted(assignments, changed=False)
    if roster.modes.get("users") is not None:
        plan.memberships = _counted(MembershipSets(organization.pk), changed=False)
