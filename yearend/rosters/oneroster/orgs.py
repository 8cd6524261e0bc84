"""orgs.csv: which orgs are active and of what type, and the schools among them."""

from __future__ import annotations

from yearend.rosters.oneroster.fields import row_status, sourced_id_unique
from yearend.rosters.oneroster.parse import Problems, Table
from yearend.rosters.oneroster.roster import Roster

ORG_TYPES = {"department", "school", "district", "local", "state", "national"}


def orgs_validate(table: Table | None, roster: Roster, problems: Problems) -> dict[str, str]:
    types: dict[str, str] = {}
    if table is None:
        return types
    seen: dict[str, int] = {}
    for line, cells in table.rows:
        sourced_id = table.get(cells, "sourcedId")
        status = row_status(table, line, cells, problems)
        if not sourced_id_unique(table, line, sourced_id, seen, problems):
            continue
        kind = table.get(cells, "type").lower()
        if kind not in ORG_TYPES:
            problems.error(
                f"{table.name}:{line}",
                f"type: '{table.get(cells, 'type')}' is not one of {', '.join(sorted(ORG_TYPES))}",
            )
            continue
        name = table.get(cells, "name")
        if not name:
            problems.error(f"{table.name}:{line}", "name: empty")
            continue
        if status == "active":
            types[sourced_id] = kind
        if kind == "school" and status == "active":
            roster.schools[sourced_id] = name[:200]
        if status == "deleted" and kind == "school":
            problems.notice(
                f"{table.name}:{line}", "schools are kept across imports; tobedeleted not applied"
            )
    return types
