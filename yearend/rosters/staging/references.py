"""An enrollment's references, checked by the database over the staged rows.

Each staged enrollment names a class and a user. The class must be a class of
classes.csv or, when that file is a delta (or absent), one the organization holds that
classes.csv does not delete; a teacher's user likewise an educator of users.csv or a
stored one, and a student's user a student of users.csv or a stored one. Checking them
as statements keeps every sourcedId of the bundle out of Python.
"""

from __future__ import annotations

from yearend.classes.models import SchoolClass
from yearend.people.models import Student, User
from yearend.rosters.oneroster.roster import Known
from yearend.rosters.oneroster.rows import (
    CLASS,
    DELETED,
    EDUCATOR,
    GUARDIAN,
    REJECTED,
    STUDENT,
    TEACHER,
)
from yearend.rosters.staging.statements import execute, fetch_one, found_rows
from yearend.rosters.staging.tables import CLASSES, ENROLLMENTS, USERS, table_of

# Kind of an enrollment whose class is unknown, once ``enrollment_classes_check`` ran.
CLASS_UNKNOWN = "u"


def _staged(table: str, kind: str, sid: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM {table} k WHERE k.sid = {sid} AND k.kind = '{kind}' AND k.dup = 0)"
    )


def _class_known(known: Known, stored: bool) -> tuple[str, list]:
    condition = _staged(CLASSES, CLASS, "w.class_sid")
    if not stored:
        return condition, []
    klass = table_of(SchoolClass)
    return (
        f"({condition} OR (EXISTS (SELECT 1 FROM {klass} c WHERE c.organization_id = %s "
        "AND c.epoch = %s AND c.sis_sourced_id = w.class_sid AND NOT (c.sis_sourced_id = '')) "
        f"AND NOT {_staged(CLASSES, DELETED, 'w.class_sid')}))",
        [known.organization_id, known.epoch],
    )


def enrollment_classes_check(known: Known, *, stored: bool) -> tuple[tuple[list, int], int]:
    """Mark the enrollments whose class is unknown, and return those to report (line,
    classSourcedId; up to ``ERRORS_LISTED`` and how many more) and how many are skipped
    because classes.csv deletes their class. One of a class classes.csv rejected was
    reported there and is neither."""
    known_class, params = _class_known(known, stored)
    marked = execute(
        f"UPDATE {ENROLLMENTS} AS w SET kind = '{CLASS_UNKNOWN}' "
        f"WHERE w.kind IN ('{STUDENT}', '{TEACHER}', '{GUARDIAN}') AND NOT {known_class}",
        params,
    )
    if not marked:
        return ([], 0), 0  # the common case: no scan of the staged rows for none
    unknown = f"FROM {ENROLLMENTS} w WHERE w.kind = '{CLASS_UNKNOWN}'"
    deleted = _staged(CLASSES, DELETED, "w.class_sid")
    rejected = _staged(CLASSES, REJECTED, "w.class_sid")
    found = found_rows(
        "w.line, w.class_sid",
        f"{unknown} AND NOT {deleted} AND NOT {rejected} ORDER BY w.line",
    )
    skipped = fetch_one(f"SELECT COUNT(*) {unknown} AND {deleted}")
    return found, skipped


def guardians_count() -> int:
    """Enrollments of parents and guardians (in a known class): not imported."""
    return fetch_one(f"SELECT COUNT(*) FROM {ENROLLMENTS} WHERE kind = '{GUARDIAN}'")


def enrollment_teachers_check(known: Known, *, stored: bool) -> tuple[list, int]:
    """Teacher enrollments whose user is not an educator of users.csv (nor, with
    ``stored``, an active one the organization holds that users.csv does not delete):
    (line, userSourcedId) of up to ``ERRORS_LISTED``, and how many more."""
    condition, params = _staged(USERS, EDUCATOR, "w.user_sid"), []
    if stored:
        user = table_of(User)
        condition = (
            f"({condition} OR (EXISTS (SELECT 1 FROM {user} p WHERE p.organization_id = %s "
            "AND p.is_active AND p.sis_sourced_id = w.user_sid "
            f"AND NOT (p.sis_sourced_id = '')) AND NOT {_staged(USERS, DELETED, 'w.user_sid')}))"
        )
        params = [known.organization_id]
    return found_rows(
        "w.line, w.user_sid",
        f"FROM {ENROLLMENTS} w WHERE w.kind = '{TEACHER}' AND w.dup = 0 AND NOT {condition} "
        "ORDER BY w.line",
        params,
    )


def students_unknown(
    organization_id: int | None, epoch: int, *, stored: bool
) -> tuple[list[tuple], int]:
    """Staged student enrollments whose student is not a student of users.csv (nor, with
    ``stored``, one the database holds that users.csv does not delete): (line, sourcedId,
    0) of up to ``ERRORS_LISTED``, and how many more. A student users.csv rejected was
    reported there and is not reported again."""
    student = table_of(Student)
    stored_clause = (
        f" AND NOT EXISTS (SELECT 1 FROM {student} p WHERE p.organization_id = %s"
        " AND p.epoch = %s AND p.sis_sourced_id = e.user_sid AND NOT (p.sis_sourced_id = '')"
        f" AND NOT EXISTS (SELECT 1 FROM {USERS} d WHERE d.sid = e.user_sid"
        f" AND d.kind = '{DELETED}'))"
        if stored
        else ""
    )
    params = [organization_id, epoch] if stored else []
    where = (
        f"FROM {ENROLLMENTS} e WHERE e.kind = '{STUDENT}' AND e.dup = 0 "
        f"AND NOT EXISTS (SELECT 1 FROM {USERS} u WHERE u.sid = e.user_sid "
        f"AND u.kind IN ('{STUDENT}', '{REJECTED}') AND u.dup = 0){stored_clause}"
    )
    return found_rows("e.line, e.user_sid, 0", f"{where} ORDER BY e.line", params)
