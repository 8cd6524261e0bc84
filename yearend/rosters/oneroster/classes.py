"""classes.csv: each row checked on its own and handed on as a staged class row."""

from __future__ import annotations

from yearend.rosters.oneroster.fields import GRADES, comma_list, status_reader
from yearend.rosters.oneroster.parse import Problems, Table
from yearend.rosters.oneroster.roster import Known
from yearend.rosters.oneroster.rows import CLASS, DELETED, OTHER, REJECTED, AddRow

CLASS_TYPES = {"homeroom", "scheduled"}


def classes_validate(
    table: Table, org_types: dict[str, str], known: Known, problems: Problems, add_row: AddRow
) -> None:
    """Check each row and hand it to ``add_row`` (as ``CLASS_COLUMNS``); the database
    finds repeated sourcedIds once the file is read."""
    status_of = status_reader(table, problems)
    for line, cells in table.rows:
        where = f"{table.name}:{line}"
        sourced_id = table.get(cells, "sourcedId")
        status = status_of(line, cells)
        if not sourced_id:
            problems.error(where, "sourcedId: empty")
            continue
        class_type = table.get(cells, "classType")
        if class_type and class_type.lower() not in CLASS_TYPES:
            problems.error(where, f"classType: '{class_type}' is not homeroom or scheduled")
        if status == "deleted":
            add_row((line, sourced_id, DELETED, None, None, None))
            continue
        school = table.get(cells, "schoolSourcedId")
        if org_types.get(school) != "school" and school not in known.schools:
            add_row((line, sourced_id, REJECTED, None, None, None))
            if school in org_types:
                problems.error(
                    where, f"schoolSourcedId: '{school}' is a {org_types[school]}, not a school"
                )
            else:
                problems.error(
                    where, f"schoolSourcedId: '{school}' is not an active school in orgs.csv"
                )
            continue
        title = table.get(cells, "title")
        if not title:
            problems.error(where, "title: empty")
            add_row((line, sourced_id, OTHER, None, None, None))
            continue
        grades = comma_list(table.get(cells, "grades"))
        grade = GRADES.get(grades[0].upper(), "") if grades else ""
        add_row((line, sourced_id, CLASS, title[:200], school, grade))
