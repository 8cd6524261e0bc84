"""Comparing a validated roster with the database: what would be added, changed, removed.

The plan holds row ids and new values, so applying it is a handful of set-based
statements. Counts per kind feed the safety holds (DESIGN rule 12) and the run record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from yearend.classes.models import Enrollment, SchoolClass, TeacherAssignment
from yearend.organizations.models import Organization, School
from yearend.people.models import SchoolMembership, Student, User
from yearend.rosters.oneroster.validate import Known, Roster

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
class Plan:
    epoch: int
    schools_new: dict[str, str] = field(default_factory=dict)  # sourcedId -> name
    schools_link: dict[str, int] = field(default_factory=dict)  # sourcedId -> id (by name)
    school_ids: dict[str, int] = field(default_factory=dict)  # sourcedId -> id (known)
    students: Change = field(default_factory=Change)
    educators: Change = field(default_factory=Change)
    classes: Change = field(default_factory=Change)
    enrollments: Change = field(default_factory=Change)
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
        students=set(
            Student.tenant.of(organization)
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
        roster.modes.get("users"), existing, roster.educators, roster.deleted_users
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
    school_of = {**plan.school_ids, **plan.schools_link}
    existing = {
        row[1]: row
        for row in Student.tenant.of(organization)
        .filter(epoch=plan.epoch)
        .exclude(sis_sourced_id="")
        .values_list(
            "id", "sis_sourced_id", "username", "first_name", "last_name", "grade", "school_id"
        )
        .iterator(chunk_size=10_000)
    }
    change = plan.students
    change.existing = len(existing)
    for sourced_id, s in roster.students.items():
        row = existing.get(sourced_id)
        if row is None:
            change.added.append(sourced_id)
        elif row[2:] != (s.username, s.first_name, s.last_name, s.grade, school_of.get(s.school)):
            change.changed.append((row[0], sourced_id))
    change.removed = _removed(
        roster.modes.get("users"), existing, roster.students, roster.deleted_users
    )


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
    # Set differences run in C: a re-import compares hundreds of thousands of pairs.
    change.added = list(wanted.difference(existing))
    if mode == "bulk":
        change.removed = [existing[pair] for pair in existing.keys() - wanted]
    else:
        change.removed = [existing[p] for p in deleted if p in existing and p not in wanted]


def _links(organization, roster: Roster, plan: Plan) -> None:
    mode = roster.modes.get("enrollments")
    if mode is not None:
        enrolled = _pairs(
            Enrollment.tenant.of(organization),
            "school_class__sis_sourced_id",
            "student__sis_sourced_id",
            {"school_class__epoch": plan.epoch, "student__epoch": plan.epoch},
        )
        _diff_pairs(
            plan.enrollments, enrolled, roster.enrollments, mode, roster.deleted_enrollments
        )
        assigned = _pairs(
            TeacherAssignment.tenant.of(organization),
            "school_class__sis_sourced_id",
            "teacher__sis_sourced_id",
            {"school_class__epoch": plan.epoch},
        )
        _diff_pairs(
            plan.assignments, assigned, roster.assignments, mode, roster.deleted_enrollments
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
        touched = set(roster.educators) | roster.deleted_users
        # Memberships follow the educator's row: only educators in this file change.
        existing = {p: pk for p, pk in members.items() if p[0] in touched}
        change = plan.memberships
        change.existing = len(members)
        change.added = [p for p in wanted if p not in existing]
        change.removed = [pk for p, pk in existing.items() if p not in wanted]
