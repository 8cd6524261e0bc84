"""academicSessions.csv: the school year the roster is for."""

from __future__ import annotations

import re

from yearend.rosters.oneroster.fields import date_check, row_status, sourced_id_unique
from yearend.rosters.oneroster.parse import Problems, Table
from yearend.rosters.oneroster.roster import Roster

SESSION_TYPES = {"gradingperiod", "semester", "schoolyear", "term"}
YEAR = re.compile(r"^\d{4}$")


def academic_sessions_validate(table: Table | None, roster: Roster, problems: Problems) -> None:
    if table is None:
        return
    seen: dict[str, int] = {}
    years: dict[str, list[str]] = {}
    for line, cells in table.rows:
        sourced_id = table.get(cells, "sourcedId")
        status = row_status(table, line, cells, problems)
        sourced_id_unique(table, line, sourced_id, seen, problems)
        kind = table.get(cells, "type")
        if kind.lower() not in SESSION_TYPES:
            problems.error(f"{table.name}:{line}", f"type: '{kind}' is not a session type")
        for column in ("startDate", "endDate"):
            date_check(table, line, cells, column, problems)
        year = table.get(cells, "schoolYear")
        if not YEAR.match(year):
            problems.error(f"{table.name}:{line}", f"schoolYear: '{year}' is not a year (YYYY)")
            continue
        if status == "active":
            years.setdefault(kind.lower(), []).append(year)
    chosen = years.get("schoolyear") or [y for ys in years.values() for y in ys]
    if chosen:
        roster.school_year = max(chosen)
