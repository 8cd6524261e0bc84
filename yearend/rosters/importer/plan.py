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

from yearend.organizations.models import Organization, School
from yearend.rosters.importer.class_sets import AssignmentSets, ClassSets
from yearend.rosters.importer.educator_sets import EducatorSets, MembershipSets
from yearend.rosters.importer.enrollment_sets import EnrollmentSets
from yearend.rosters.importer.student_sets import StudentSets
from yearend.rosters.oneroster.roster import Known, Roster
from yearend.rosters.staging.statements import count, found_rows
from yearend.rosters.staging.tables import index_pairs, school_map_write

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
    school_map_write({**plan.school_ids, **plan.schools_link})
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
    rows, more = found_rows("u.username, u.sid", f"{taken} ORDER BY u.line", params)
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


def _links(organization, roster: Roster, plan: Plan) -> None:
    mode = roster.modes.get("enrollments")
    if mode is not None:
        sets = EnrollmentSets(organization.pk, plan.epoch, mode)
        assignments = AssignmentSets(organization.pk, plan.epoch, mode)
        existing = sets.count(sets.existing())
        if existing or count(assignments.existing()):
            # Stored pairs are looked up among the staged ones. PostgreSQL would hash them,
            # but right after a large import its statistics still say the enrollment table
            # is small, and it loops over the staged rows for each stored pair instead.
            index_pairs()
        plan.enrollments = Counted(
            existing=existing,
            added=sets.count(sets.added()),
            removed=sets.count(sets.removed()),
        )
        plan.assignments = _counted(assignments, changed=False)
    if roster.modes.get("users") is not None:
        plan.memberships = _counted(MembershipSets(organization.pk), changed=False)
