"""Checks of the fields many files share: a row's status and sourcedId, dates, booleans,
comma-separated lists and grades. Values the spec defines as enumerations are matched
without regard to case."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from yearend.rosters.oneroster.parse import Problems, Table

STATUSES = {"active": "active", "tobedeleted": "deleted", "inactive": "deleted", "": "active"}
BOOLEANS = {"true", "false", ""}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
)
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

GRADES = {
    "PK": "PK",
    "IT": "PK",
    "PR": "PK",
    "P3": "PK",
    "P4": "PK",
    "TK": "KG",
    "KG": "KG",
    "K": "KG",
}
GRADES.update({f"{n:02d}": f"{n:02d}" for n in range(1, 9)})
GRADES.update({str(n): f"{n:02d}" for n in range(1, 9)})
# Imagine Math stops at grade 8; high-school students work in the Algebra course.
GRADES.update({f"{n:02d}": "ALG" for n in range(9, 14)})
GRADES.update({str(n): "ALG" for n in range(9, 14)})
DEFAULT_GRADE = "KG"


def row_status(table: Table, line: int, cells: list[str], problems: Problems) -> str | None:
    return status_reader(table, problems)(line, cells)


def status_reader(table: Table, problems: Problems):
    """A function of (line, cells) that checks a row's status and dateLastModified and
    returns 'active', 'deleted' or None (an error recorded)."""
    i_status, i_modified = table.index("status"), table.index("dateLastModified")
    name = table.name

    def status_of(line: int, cells: list[str]) -> str | None:
        raw = cells[i_status]
        status = STATUSES.get(raw)
        if status is None:
            raw = raw.strip()
            status = STATUSES.get(raw) or STATUSES.get(raw.lower())
            if status is None:
                problems.error(f"{name}:{line}", f"status: '{raw}' is not active or tobedeleted")
        modified = cells[i_modified]
        if modified and not _is_iso_datetime(modified):
            modified = modified.strip()
            if modified and not _is_iso_datetime(modified):
                problems.notice(
                    f"{name}:{line}", f"dateLastModified: '{modified}' is not an ISO 8601 date"
                )
        return status

    return status_of


@lru_cache(maxsize=4096)
def _is_iso_datetime(value: str) -> bool:
    return bool(ISO_DATETIME.match(value))


def date_check(table: Table, line: int, cells: list[str], column: str, problems) -> None:
    value = table.get(cells, column)
    if not value:
        return
    if value in _good_dates:
        return
    if ISO_DATE.match(value):
        if value:
            try:
                date.fromisoformat(value)
            except ValueError:
                problems.error(f"{table.name}:{line}", f"{column}: '{value}' is not a real date")
                return
            if len(_good_dates) < 10_000:
                _good_dates.add(value)
        return
    match = US_DATE.match(value)
    if match:
        problems.notice(
            f"{table.name}:{line}", f"{column}: '{value}' is not ISO 8601 (YYYY-MM-DD); not used"
        )
        return
    problems.error(f"{table.name}:{line}", f"{column}: '{value}' is not a date (YYYY-MM-DD)")


_good_dates: set[str] = set()


def bool_check(table: Table, line: int, cells: list[str], column: str, problems) -> None:
    value = table.get(cells, column)
    if value not in BOOLEANS and value.lower() not in BOOLEANS:
        problems.error(f"{table.name}:{line}", f"{column}: '{value}' is not true or false")


def sourced_id_unique(
    table: Table, line: int, sourced_id: str, seen: dict[str, int], problems
) -> bool:
    if not sourced_id:
        problems.error(f"{table.name}:{line}", "sourcedId: empty")
        return False
    if sourced_id in seen:
        problems.error(
            f"{table.name}:{line}",
            f"sourcedId: '{sourced_id}' already appears on line {seen[sourced_id]}",
        )
        return False
    seen[sourced_id] = line
    return True


def comma_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@lru_cache(maxsize=256)
def _grade_known(raw: str) -> str | None:
    parts = comma_list(raw)
    return GRADES.get(parts[0].upper() if parts else "")


def grade_of(raw: str, where: str, problems: Problems) -> str:
    grade = _grade_known(raw)
    if grade is None:
        problems.notice(
            where,
            f"grades: '{raw}' is not a grade Imagine Math knows; recorded as {DEFAULT_GRADE}"
            if raw
            else f"grades: empty; recorded as {DEFAULT_GRADE}",
        )
        return DEFAULT_GRADE
    return grade
