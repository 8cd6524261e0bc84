"""The rows validation hands on: one tuple per row it checked, in fixed columns.

Users, classes and enrollments are never held whole in Python: each file's validator
passes every row it has checked on its own to a function (``AddRow``) that stages it
(``yearend.rosters.staging``), and the database checks what needs the whole file.
Every row keeps its line number, so an error found later still names its line.
"""

from __future__ import annotations

from collections.abc import Callable

AddRow = Callable[[tuple], None]

# Kind of a row. Users: STUDENT, REJECTED (a student with an error, reported),
# EDUCATOR, EDUCATOR_REJECTED (reported), DELETED, OTHER (not imported). Classes: CLASS,
# REJECTED (its school is wrong, reported: its enrollments are not reported again),
# DELETED, OTHER. Enrollments: STUDENT, TEACHER, GUARDIAN (skipped), DELETED, OTHER.
STUDENT, REJECTED, EDUCATOR, DELETED, OTHER = "s", "r", "e", "d", "x"
EDUCATOR_REJECTED, CLASS, TEACHER, GUARDIAN = "q", "c", "t", "g"

USER_COLUMNS = (
    "line",
    "sid",
    "kind",
    "username",
    "username_key",
    "first_name",
    "last_name",
    "grade",
    "school_sid",
    "email",
    "role",
)
EDUCATOR_SCHOOL_COLUMNS = ("line", "school_sid")  # an educator row's schools, by its line
CLASS_COLUMNS = ("line", "sid", "kind", "title", "school_sid", "grade")
ENROLLMENT_COLUMNS = ("line", "sid", "kind", "class_sid", "user_sid")
