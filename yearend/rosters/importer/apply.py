"""Applying a plan with set-based statements, inside the caller's transaction.

Every kind but schools is written from the staging tables by the database itself
(``INSERT … SELECT``, ``UPDATE … FROM``, ``DELETE`` of a set), with the very conditions
the plan counted. Nothing loops over students, educators, classes or enrollments in
Python. A statement that joins staged rows to stored ones silently skips a row whose
reference it cannot find, so each insert is checked against the plan's count
(``_as_planned``) and the import rolls back when they differ.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.db import IntegrityError, connection
from django.utils import timezone

from yearend.classes.models import Enrollment, SchoolClass, TeacherAssignment
from yearend.organizations.models import Organization, School
from yearend.people.models import SchoolMembership, Student, User
from yearend.rosters.importer.class_sets import STAGED as CLASS_STAGED
from yearend.rosters.importer.class_sets import AssignmentSets, ClassSets
from yearend.rosters.importer.educator_sets import STAGED as EDUCATOR_STAGED
from yearend.rosters.importer.educator_sets import (
    VALUES,
    EducatorSets,
    MembershipSets,
    same_values,
)
from yearend.rosters.importer.enrollment_sets import EnrollmentSets
from yearend.rosters.importer.integrity import enrollments_check, enrollments_lock_parents
from yearend.rosters.importer.plan import Plan
from yearend.rosters.importer.student_sets import StudentSets
from yearend.rosters.oneroster.roster import Roster
from yearend.rosters.oneroster.rows import STUDENT
from yearend.rosters.staging.statements import execute, ids_in_chunks
from yearend.rosters.staging.tables import CLASSES, REMOVED, USERS, table_of

BATCH = 900
UNUSABLE_PASSWORD = "!"  # noqa: S105 - Django reads any hash starting with "!" as "no password"


def plan_apply(
    organization: Organization,
    roster: Roster,
    plan: Plan,
    *,
    progress: Callable[[str], None] | None = None,
) -> None:
    step = progress or (lambda stage: None)

    step("schools")
    _schools(organization, plan)

    step("educators")
    _educators(organization, roster, plan)
    if roster.modes.get("users") is not None:
        _memberships(organization, plan)

    step("classes")
    _classes(organization, roster, plan)

    step("students")
    _students(organization, roster, plan)

    step("enrollments")
    if roster.modes.get("enrollments") is not None:
        _enrollments(organization, roster, plan)
        _assignments(organization, roster, plan)
    step("done")


def _educators(organization: Organization, roster: Roster, plan: Plan) -> None:
    sets = EducatorSets(organization.pk, roster.modes.get("users"))
    user, org = table_of(User), organization.pk
    if plan.educators.removed:
        # Educators are retained across resets and referenced by history: deactivated,
        # never deleted; their schools and classes go.
        removed = sets.removed()
        _delete_named(SchoolMembership, "user_id", org, ("p", removed))
        _delete_named(TeacherAssignment, "teacher_id", org, ("p", removed))
        sql, params = removed
        execute(
            f"UPDATE {user} SET is_active = %s WHERE organization_id = %s "
            f"AND id IN (SELECT p.id {sql})",
            [False, org, *params],
        )
    if plan.educators.changed:
        # A returning educator (the SIS lists them again) is active again and no longer
        # removed.
        values = ", ".join(f"{c} = u.{c}" for c in VALUES)
        execute(
            f"UPDATE {user} SET {values}, is_active = %s, removed_at = NULL FROM {USERS} u "
            f"WHERE {user}.organization_id = %s AND {user}.sis_sourced_id = u.sid "
            f"AND NOT ({user}.sis_sourced_id = '') AND {EDUCATOR_STAGED} "
            f"AND (NOT {user}.is_active OR NOT ({same_values(user, 'u')}))",
            [True, org],
        )
    if plan.educators.added:
        added, params = sets.added()
        joined = connection.ops.adapt_datetimefield_value(timezone.now())
        # Every column NOT NULL written: Django's defaults are not the database's.
        inserted = execute(
            f"INSERT INTO {user} (password, is_superuser, is_staff, is_active, date_joined, "
            "username, first_name, last_name, email, role, organization_id, sis_sourced_id) "
            "SELECT %s, %s, %s, %s, %s, u.username, u.first_name, u.last_name, u.email, "
            f"u.role, %s, u.sid {added} ORDER BY u.line",
            [UNUSABLE_PASSWORD, False, False, True, joined, org, *params],
        )
        _as_planned("educator", inserted, plan.educators.added)


def _memberships(organization: Organization, plan: Plan) -> None:
    sets = MembershipSets(organization.pk)
    membership, org = table_of(SchoolMembership), organization.pk
    if plan.memberships.removed:
        _delete_named(SchoolMembership, "id", org, ("m", sets.removed()))
    if plan.memberships.added:
        # The wanted pairs joined to the rows they name; the schools and educators are all
        # stored by now.
        inserted = execute(
            f"INSERT INTO {membership} (organization_id, user_id, school_id) "
            f"SELECT %s, p.id, sc.id FROM {sets.wanted} "
            f"JOIN {table_of(User)} p ON p.organization_id = %s AND p.sis_sourced_id = w.user_sid "
            "AND NOT (p.sis_sourced_id = '') "
            f"JOIN {table_of(School)} sc ON sc.organization_id = %s "
            "AND sc.sis_sourced_id = w.school_sid AND NOT (sc.sis_sourced_id = '') "
            f"WHERE NOT EXISTS (SELECT 1 FROM {membership} m WHERE m.organization_id = %s "
            "AND m.user_id = p.id AND m.school_id = sc.id) ORDER BY p.id, sc.id",
            [org, org, org, org],
        )
        _as_planned("school membership", inserted, plan.memberships.added)


def _classes(organization: Organization, roster: Roster, plan: Plan) -> None:
    sets = ClassSets(organization.pk, plan.epoch, roster.modes.get("classes"))
    klass, school, org = table_of(SchoolClass), table_of(School), organization.pk
    if plan.classes.removed:
        # Their links first: enrollments and teacher assignments, then the classes.
        for model in (Enrollment, TeacherAssignment, SchoolClass):
            column = "id" if model is SchoolClass else "school_class_id"
            _delete_named(model, column, org, ("c", sets.removed()))
    if plan.classes.added:
        stored, params = sets.stored("c")
        inserted = execute(
            f"INSERT INTO {klass} (organization_id, school_id, epoch, name, grade, "
            "sis_sourced_id, created_at) SELECT %s, sch.id, %s, k.title, k.grade, k.sid, "
            f"CURRENT_TIMESTAMP FROM {CLASSES} k JOIN {school} sch ON sch.organization_id = %s "
            "AND sch.sis_sourced_id = k.school_sid AND NOT (sch.sis_sourced_id = '') "
            f"WHERE {CLASS_STAGED} AND NOT EXISTS (SELECT 1 FROM {klass} c WHERE {stored} "
            "AND c.sis_sourced_id = k.sid) ORDER BY k.line",
            [org, plan.epoch, org, *params],
        )
        _as_planned("class", inserted, plan.classes.added)
    if plan.classes.changed:
        stored, params = sets.stored(klass)
        execute(
            f"UPDATE {klass} SET name = k.title, school_id = sch.id, grade = k.grade "
            f"FROM {CLASSES} k JOIN {school} sch ON sch.organization_id = %s "
            "AND sch.sis_sourced_id = k.school_sid AND NOT (sch.sis_sourced_id = '') "
            f"WHERE {stored} AND {klass}.sis_sourced_id = k.sid AND {CLASS_STAGED} "
            f"AND NOT ({klass}.name = k.title AND {klass}.school_id = sch.id "
            f"AND {klass}.grade = k.grade)",
            [org, *params],
        )


def _assignments(organization: Organization, roster: Roster, plan: Plan) -> None:
    sets = AssignmentSets(organization.pk, plan.epoch, roster.modes.get("enrollments"))
    assignment, org = table_of(TeacherAssignment), organization.pk
    if plan.assignments.removed:
        _delete_named(TeacherAssignment, "id", org, ("a", sets.removed()))
    if plan.assignments.added:
        inserted = execute(
            f"INSERT INTO {assignment} (organization_id, school_class_id, teacher_id) "
            f"SELECT %s, c.id, p.id FROM {sets.wanted} "
            f"JOIN {table_of(SchoolClass)} c ON c.organization_id = %s AND c.epoch = %s "
            "AND c.sis_sourced_id = t.class_sid AND NOT (c.sis_sourced_id = '') "
            f"JOIN {table_of(User)} p ON p.organization_id = %s AND p.sis_sourced_id = t.user_sid "
            "AND NOT (p.sis_sourced_id = '') "
            f"WHERE NOT EXISTS (SELECT 1 FROM {assignment} a WHERE a.organization_id = %s "
            "AND a.school_class_id = c.id AND a.teacher_id = p.id) ORDER BY c.id, p.id",
            [org, org, plan.epoch, org, org],
        )
        _as_planned("teacher assignment", inserted, plan.assignments.added)


def _students(organization: Organization, roster: Roster, plan: Plan) -> None:
    sets = StudentSets(organization.pk, plan.epoch, roster.modes.get("users"))
    if plan.students.removed:
        removed, params = sets.removed()
        # Found once by one statement, then deleted in batches that walk this list.
        execute(f"INSERT INTO {REMOVED} (id) SELECT s.id {removed}", params)
        for chunk in ids_in_chunks(BATCH):
            _delete_where(Enrollment, "student_id", chunk)
            # The ORM's cascade reaches the student's product data in the learning app.
            Student.tenant.of(organization).filter(id__in=chunk).delete()
    if plan.students.added:
        stored, params = sets.stored
        student, school = table_of(Student), table_of(School)
        # In file order, so ids follow it; the schools are all stored by now.
        inserted = execute(
            f"INSERT INTO {student} (organization_id, school_id, epoch, username, "
            "first_name, last_name, grade, password, sis_sourced_id, created_at) "
            "SELECT %s, sch.id, %s, u.username, u.first_name, u.last_name, u.grade, %s, u.sid, "
            f"CURRENT_TIMESTAMP FROM {USERS} u JOIN {school} sch ON sch.organization_id = %s "
            "AND sch.sis_sourced_id = u.school_sid AND NOT (sch.sis_sourced_id = '') "
            f"WHERE u.kind = '{STUDENT}' AND NOT EXISTS (SELECT 1 FROM {student} s "
            f"WHERE {stored} AND s.sis_sourced_id = u.sid) ORDER BY u.line",
            [organization.pk, plan.epoch, UNUSABLE_PASSWORD, organization.pk, *params],
        )
        _as_planned("student", inserted, plan.students.added)
    if plan.students.changed:
        student, school = table_of(Student), table_of(School)
        execute(
            f"UPDATE {student} SET username = u.username, first_name = u.first_name, "
            "last_name = u.last_name, grade = u.grade, school_id = sch.id "
            f"FROM {USERS} u JOIN {school} sch ON sch.organization_id = %s "
            "AND sch.sis_sourced_id = u.school_sid AND NOT (sch.sis_sourced_id = '') "
            f"WHERE {student}.organization_id = %s AND {student}.epoch = %s "
            f"AND {student}.sis_sourced_id = u.sid AND NOT ({student}.sis_sourced_id = '') "
            f"AND u.kind = '{STUDENT}' AND NOT ({student}.username = u.username "
            f"AND {student}.first_name = u.first_name AND {student}.last_name = u.last_name "
            f"AND {student}.grade = u.grade AND {student}.school_id = sch.id)",
            [organization.pk, organization.pk, plan.epoch],
        )


def _enrollments(organization: Organization, roster: Roster, plan: Plan) -> None:
    sets = EnrollmentSets(organization.pk, plan.epoch, roster.modes.get("enrollments"))
    enrollment = table_of(Enrollment)
    if plan.enrollments.removed:
        removed, params = sets.removed()
        execute(
            f"DELETE FROM {enrollment} WHERE id IN (SELECT e.id {removed})",
            params,
        )
    if plan.enrollments.added:
        enrollments_lock_parents(organization, plan.epoch)
        resolved, params = sets.resolved()
        # Classes and students are all stored by now. In the unique index's order (student,
        # then class): each insert then lands at the end of the indexes (see Enrollment).
        inserted = execute(
            f"INSERT INTO {enrollment} (organization_id, school_class_id, student_id) "
            f"SELECT DISTINCT %s, c.id, s.id {resolved} AND c.id IS NOT NULL "
            f"AND s.id IS NOT NULL AND {sets.not_stored()} ORDER BY s.id, c.id",
            [organization.pk, *params],
        )
        _as_planned("enrollment", inserted, plan.enrollments.added)
        enrollments_check(organization)


def _delete_named(model, column: str, org: int, named: tuple[str, tuple[str, list]]) -> None:
    """Delete the organization's rows of ``model`` whose ``column`` is the id of a row a
    set names: ``named`` is (the alias whose id it selects, the set's FROM/WHERE)."""
    alias, (sql, params) = named
    execute(
        f"DELETE FROM {table_of(model)} WHERE organization_id = %s "
        f"AND {column} IN (SELECT {alias}.id {sql})",
        [org, *params],
    )


def _as_planned(kind: str, inserted: int, planned: int) -> None:
    """A statement that joins staged rows to stored ones drops a row whose reference it
    cannot find, where a lookup in Python failed loudly: the import rolls back instead."""
    if inserted != planned:
        raise IntegrityError(
            f"{planned:,} new {kind} row(s) were planned but {inserted:,} could be written"
        )


def _schools(organization: Organization, plan: Plan) -> None:
    for sourced_id, pk in plan.schools_link.items():
        School.tenant.of(organization).filter(pk=pk).update(sis_sourced_id=sourced_id)
    taken = {n.lower() for n in School.tenant.of(organization).values_list("name", flat=True)}
    new = []
    for sourced_id, name in plan.schools_new.items():
        unique, n = name, 2
        while unique.lower() in taken:  # two SIS schools may share a display name
            unique, n = f"{name[:190]} ({n})", n + 1
        taken.add(unique.lower())
        new.append(School(organization=organization, name=unique, sis_sourced_id=sourced_id))
    School.unscoped.bulk_create(new)


def _chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _delete_where(model, column: str, ids: Sequence[int]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        for chunk in _chunks(list(ids), BATCH):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", list(chunk))
