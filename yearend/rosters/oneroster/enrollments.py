"""enrollments.csv: each row checked on its own and handed on as a staged enrollment row."""

from __future__ import annotations

from yearend.rosters.oneroster.fields import BOOLEANS, bool_check, date_check, status_reader
from yearend.rosters.oneroster.parse import Problems, Table
from yearend.rosters.oneroster.rows import DELETED, GUARDIAN, OTHER, STUDENT, TEACHER, AddRow

ENROLLMENT_TEACHERS = {"teacher", "aide", "administrator", "proctor"}


def enrollments_validate(table: Table, problems: Problems, add_row: AddRow) -> int:
    """Check each row on its own and hand it to ``add_row`` (as ``ENROLLMENT_COLUMNS``);
    the database then checks every row's class, student or teacher (and repeated
    sourcedIds) once the file is read. Returns how many are a parent's or guardian's."""
    i_sid, i_class, i_user, i_role, i_primary, i_begin, i_end = (
        table.index(c)
        for c in (
            "sourcedId",
            "classSourcedId",
            "userSourcedId",
            "role",
            "primary",
            "beginDate",
            "endDate",
        )
    )
    status_of = status_reader(table, problems)
    name = table.name
    guardians = 0
    for line, cells in table.rows:
        sourced_id = cells[i_sid].strip()
        status = status_of(line, cells)
        if not sourced_id:
            problems.error(f"{name}:{line}", "sourcedId: empty")
            continue
        if cells[i_primary] and cells[i_primary].strip() not in BOOLEANS:
            bool_check(table, line, cells, "primary", problems)
        if cells[i_begin] or cells[i_end]:
            for column in ("beginDate", "endDate"):
                date_check(table, line, cells, column, problems)
        class_id, user_id = cells[i_class].strip(), cells[i_user].strip()
        if status == "deleted":
            add_row((line, sourced_id, DELETED, class_id, user_id))
            continue
        role = cells[i_role].strip()
        if role != "student":
            role = role.lower()
        if role == "student":
            kind = STUDENT
        elif role in ENROLLMENT_TEACHERS:
            kind = TEACHER
        elif role in ("parent", "guardian", "relative"):
            kind = GUARDIAN
            guardians += 1
        else:
            problems.error(
                f"{name}:{line}", f"role: '{table.get(cells, 'role')}' is not a OneRoster role"
            )
            add_row((line, sourced_id, OTHER, None, None))
            continue
        add_row((line, sourced_id, kind, class_id, user_id))
    return guardians
