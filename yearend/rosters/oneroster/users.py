"""users.csv: each row checked on its own and handed on as a staged user row."""

from __future__ import annotations

from yearend.rosters.oneroster.fields import (
    BOOLEANS,
    bool_check,
    comma_list,
    grade_of,
    status_reader,
)
from yearend.rosters.oneroster.parse import Problems, Table
from yearend.rosters.oneroster.roles import EDUCATOR_ROLES, OTHER_ROLES, STUDENT_ROLES
from yearend.rosters.oneroster.roster import Known, Roster
from yearend.rosters.oneroster.rows import (
    DELETED,
    EDUCATOR,
    EDUCATOR_REJECTED,
    OTHER,
    REJECTED,
    STUDENT,
    AddRow,
)


def users_validate(
    table: Table,
    roster: Roster,
    roles: dict[str, tuple[str, str]],
    org_types: dict[str, str],
    known: Known,
    problems: Problems,
    *,
    add_row: AddRow,
    add_educator_school: AddRow,
) -> None:
    """Check each row and hand it to ``add_row`` (as ``USER_COLUMNS``): students and
    educators with their values, and each of an educator's schools to
    ``add_educator_school``. Every row with a sourcedId is handed on, for the duplicate
    checks the database makes once the file is read."""
    other = (None,) * 8
    has_role = "role" in table.columns
    skipped = 0
    if "password" in table.columns:
        problems.notice(table.name, "password: not imported; students sign in through the product")
    status_of = status_reader(table, problems)
    i_sid, i_enabled = table.index("sourcedId"), table.index("enabledUser")
    for line, cells in table.rows:
        roster.users_rows += 1
        where = f"{table.name}:{line}"
        sourced_id = cells[i_sid].strip()
        status = status_of(line, cells)
        if not sourced_id:
            problems.error(where, "sourcedId: empty")
            continue
        if cells[i_enabled] not in BOOLEANS:
            bool_check(table, line, cells, "enabledUser", problems)
        if status == "deleted":
            add_row((line, sourced_id, DELETED, *other))
            continue
        if has_role:
            role = table.get(cells, "role").lower()
            orgs = comma_list(table.get(cells, "orgSourcedIds"))
        elif sourced_id in roles:
            role, org = roles[sourced_id]
            orgs = [org]
        else:
            problems.error(where, "role: no role column and no primary role in roles.csv")
            add_row((line, sourced_id, OTHER, *other))
            continue
        if not orgs and table.get(cells, "primaryOrgSourcedId"):
            orgs = [table.get(cells, "primaryOrgSourcedId")]
        if role not in EDUCATOR_ROLES and role not in OTHER_ROLES:
            problems.error(where, f"role: '{role}' is not a OneRoster role")
            add_row((line, sourced_id, OTHER, *other))
            continue
        if role in OTHER_ROLES and role not in STUDENT_ROLES:
            skipped += 1
            add_row((line, sourced_id, OTHER, *other))
            continue
        for org in orgs:
            if org not in org_types and org not in known.schools:
                problems.error(where, f"orgSourcedIds: '{org}' is not an active org in orgs.csv")
        schools = tuple(o for o in orgs if org_types.get(o) == "school" or o in known.schools)
        first, last = table.get(cells, "givenName"), table.get(cells, "familyName")
        username = table.get(cells, "username") or sourced_id
        if not first:
            problems.error(where, "givenName: empty")
        if not last:
            problems.error(where, "familyName: empty")
        if len(username) > 150:
            problems.error(where, "username: longer than 150 characters")
            add_row((line, sourced_id, OTHER, *other))
            continue
        # Usernames are compared without regard to case, by the database once all are read.
        key = username.lower()
        if role in STUDENT_ROLES:
            if not schools:
                problems.error(where, _no_school(orgs, org_types, "a student"))
                add_row((line, sourced_id, REJECTED, username, key, *other[2:]))
                continue
            grade = grade_of(table.get(cells, "grades"), where, problems)
            add_row(
                (
                    line,
                    sourced_id,
                    STUDENT,
                    username,
                    key,
                    first[:100],
                    last[:100],
                    grade,
                    schools[0],
                    None,
                    None,
                )
            )
            continue
        educator_role = EDUCATOR_ROLES[role]
        if educator_role != "district_admin" and not schools:
            problems.error(where, "orgSourcedIds: a teacher or school administrator needs a school")
            add_row((line, sourced_id, EDUCATOR_REJECTED, username, key, *other[2:]))
            continue
        add_row(
            (
                line,
                sourced_id,
                EDUCATOR,
                username,
                key,
                first[:150],
                last[:150],
                None,
                None,
                table.get(cells, "email")[:254],
                educator_role,
            )
        )
        for school in dict.fromkeys(schools):
            add_educator_school((line, school))
    if skipped:
        problems.notice(table.name, f"{skipped} parent or guardian account(s) not imported")


def _no_school(orgs: list[str], org_types: dict[str, str], who: str) -> str:
    found = ", ".join(f"'{o}' is a {org_types[o]}" for o in orgs if o in org_types)
    return f"orgSourcedIds: {who} needs a school" + (f" ({found})" if found else "")
