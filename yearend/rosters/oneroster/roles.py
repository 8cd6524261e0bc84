"""roles.csv (OneRoster 1.2), and the roles a user may have in either version."""

from __future__ import annotations

from yearend.rosters.oneroster.fields import row_status
from yearend.rosters.oneroster.parse import Problems, Table

STUDENT_ROLES = {"student"}
EDUCATOR_ROLES = {
    "teacher": "teacher",
    "aide": "teacher",
    "proctor": "teacher",
    "administrator": "school_admin",
    "principal": "school_admin",
    "siteadministrator": "school_admin",
    "districtadministrator": "district_admin",
    "systemadministrator": "district_admin",
}
OTHER_ROLES = {"parent", "guardian", "relative", "student"}


def roles_validate(table: Table | None, problems: Problems) -> dict[str, tuple[str, str]]:
    """OneRoster 1.2: each user's primary role and its org, from roles.csv."""
    primary: dict[str, tuple[str, str]] = {}
    if table is None:
        return primary
    for line, cells in table.rows:
        if row_status(table, line, cells, problems) != "active":
            continue
        user = table.get(cells, "userSourcedId")
        role_type = table.get(cells, "roleType").lower()
        if role_type not in ("primary", "secondary"):
            problems.error(
                f"{table.name}:{line}", f"roleType: '{role_type}' is not primary or secondary"
            )
            continue
        role = table.get(cells, "role").lower()
        if role not in EDUCATOR_ROLES and role not in OTHER_ROLES:
            problems.error(
                f"{table.name}:{line}",
                f"role: '{table.get(cells, 'role')}' is not a OneRoster role",
            )
            continue
        if role_type == "primary" or user not in primary:
            primary[user] = (role, table.get(cells, "orgSourcedId"))
    return primary
