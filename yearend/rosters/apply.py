"""Applying a plan with set-based statements, inside the caller's transaction.

Students and enrollments are written from the staging tables by the database itself
(``INSERT … SELECT``, ``UPDATE … FROM``, ``DELETE`` of a set), with the conditions the
plan counted; the rest, a few rows per hundred students, goes through ``bulk_insert``
(COPY on PostgreSQL), one prepared statement executed for many rows, and ``WHERE id IN``
batches. Nothing loops over students or enrollments with the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.db import IntegrityError, connection
from django.utils import timezone

from yearend.bulk import bulk_insert, next_ids
from yearend.classes.models import Enrollment, SchoolClass, TeacherAssignment
from yearend.organizations.models import Organization, School
from yearend.people.models import SchoolMembership, Student, User
from yearend.rosters import staging
from yearend.rosters.integrity import enrollments_check, enrollments_lock_parents
from yearend.rosters.oneroster.validate import Roster
from yearend.rosters.plan import EnrollmentSets, Plan, StudentSets, _q
from yearend.rosters.staging import STUDENT, USERS

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
    now = timezone.now()
    stamp = now.strftime("%Y-%m-%d %H:%M:%S")
    org_id = organization.pk

    step("schools")
    school_of = _schools(organization, plan)

    step("educators")
    _educators(organization, roster, plan, now)
    educator_of = dict(
        User.objects.filter(organization=organization)
        .exclude(sis_sourced_id="")
        .values_list("sis_sourced_id", "id")
    )
    _delete(SchoolMembership, plan.memberships.removed)
    bulk_insert(
        SchoolMembership,
        ["organization_id", "user_id", "school_id"],
        ((org_id, educator_of[u], school_of[s]) for u, s in plan.memberships.added),
    )

    step("classes")
    _delete_where(Enrollment, "school_class_id", plan.classes.removed)
    _delete_where(TeacherAssignment, "school_class_id", plan.classes.removed)
    _delete(SchoolClass, plan.classes.removed)
    ids = next_ids(SchoolClass, len(plan.classes.added))
    bulk_insert(
        SchoolClass,
        [
            "id",
            "organization_id",
            "school_id",
            "epoch",
            "name",
            "grade",
            "sis_sourced_id",
            "created_at",
        ],
        (
            (pk, org_id, school_of[school], plan.epoch, title, grade, sid, stamp)
            for pk, (sid, title, school, grade) in zip(ids, plan.classes.added, strict=True)
        ),
    )
    _update(
        SchoolClass,
        ["name", "school_id", "grade"],
        ((pk, (t, school_of[s], g)) for pk, (t, s, g) in plan.classes.changed),
    )

    step("students")
    _students(organization, roster, plan)

    step("enrollments")
    if plan.assignments.added:
        class_of = dict(
            SchoolClass.tenant.of(organization)
            .filter(epoch=plan.epoch)
            .exclude(sis_sourced_id="")
            .values_list("sis_sourced_id", "id")
        )
    if roster.modes.get("enrollments") is not None:
        _enrollments(organization, roster, plan)
    _delete(TeacherAssignment, plan.assignments.removed)
    bulk_insert(
        TeacherAssignment,
        ["organization_id", "school_class_id", "teacher_id"],
        ((org_id, class_of[c], educator_of[t]) for c, t in plan.assignments.added),
    )
    step("done")


def _students(organization: Organization, roster: Roster, plan: Plan) -> None:
    sets = StudentSets(organization.pk, plan.epoch, roster.modes.get("users"))
    if plan.students.removed:
        removed, params = sets.removed()
        # Found once by one statement, then deleted in batches that walk this list.
        staging.execute(f"INSERT INTO {staging.REMOVED} (id) SELECT s.id {removed}", params)
        for chunk in staging.ids_in_chunks(BATCH):
            _delete_where(Enrollment, "student_id", chunk)
            # The ORM's cascade reaches the student's product data in the learning app.
            Student.tenant.of(organization).filter(id__in=chunk).delete()
    if plan.students.added:
        stored, params = sets.stored
        student, school = _q(Student), _q(School)
        # In file order, so ids follow it; the schools are all stored by now.
        inserted = staging.execute(
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
        student, school = _q(Student), _q(School)
        staging.execute(
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
    enrollment = _q(Enrollment)
    if plan.enrollments.removed:
        removed, params = sets.removed()
        staging.execute(
            f"DELETE FROM {enrollment} WHERE id IN (SELECT e.id {removed})",
            params,
        )
    if plan.enrollments.added:
        enrollments_lock_parents(organization, plan.epoch)
        resolved, params = sets.resolved()
        # Classes and students are all stored by now. In the unique index's order (student,
        # then class): each insert then lands at the end of the indexes (see Enrollment).
        inserted = staging.execute(
            f"INSERT INTO {enrollment} (organization_id, school_class_id, student_id) "
            f"SELECT DISTINCT %s, c.id, s.id {resolved} AND c.id IS NOT NULL "
            f"AND s.id IS NOT NULL AND {sets.not_stored()} ORDER BY s.id, c.id",
            [organization.pk, *params],
        )
        _as_planned("enrollment", inserted, plan.enrollments.added)
        enrollments_check(organization)


def _as_planned(kind: str, inserted: int, planned: int) -> None:
    """A statement that joins staged rows to stored ones drops a row whose reference it
    cannot find, where a lookup in Python failed loudly: the import rolls back instead."""
    if inserted != planned:
        raise IntegrityError(
            f"{planned:,} new {kind} row(s) were planned but {inserted:,} could be written"
        )


def _schools(organization: Organization, plan: Plan) -> dict[str, int]:
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
    return dict(
        School.tenant.of(organization)
        .exclude(sis_sourced_id="")
        .values_list("sis_sourced_id", "id")
    )


def _educators(organization: Organization, roster: Roster, plan: Plan, now) -> None:
    change = plan.educators
    # A batch of model instances at a time: each is a few kilobytes, and a district's
    # thousands of educators at once were the largest thing an import held.
    for chunk in _chunks(change.added, BATCH):
        User.objects.bulk_create(
            [
                User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=email,
                    role=role,
                    organization=organization,
                    sis_sourced_id=sid,
                    password=UNUSABLE_PASSWORD,
                    date_joined=now,
                )
                for sid, (username, first, last, email, role) in chunk
            ]
        )
    # A returning educator (the SIS lists them again) is active again and no longer removed.
    _update(
        User,
        ["username", "first_name", "last_name", "email", "role", "is_active", "removed_at"],
        ((pk, (*values, True, None)) for pk, values in change.changed),
    )
    # Educators are retained across resets and referenced by history: deactivate, never delete.
    for chunk in _chunks(change.removed, BATCH):
        User.objects.filter(organization=organization, id__in=chunk).update(is_active=False)
        SchoolMembership.tenant.of(organization).filter(user_id__in=chunk).delete()
        TeacherAssignment.tenant.of(organization).filter(teacher_id__in=chunk).delete()


def _chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _delete(model, ids: Sequence[int]) -> None:
    _delete_where(model, "id", ids)


def _delete_where(model, column: str, ids: Sequence[int]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        for chunk in _chunks(list(ids), BATCH):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", list(chunk))


def _update(model, columns: list[str], rows: Iterable[tuple[int, tuple]]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
    sql = f"UPDATE {table} SET {assignments} WHERE id = %s"
    batch: list[tuple] = []
    with connection.cursor() as cursor:
        for pk, values in rows:
            batch.append((*values, pk))
            if len(batch) >= 5_000:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
