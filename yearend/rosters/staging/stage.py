"""A bundle validated into the staging tables, file by file.

``yearend.rosters.oneroster`` checks each row on its own; here the rows it hands on are
written to the staging tables, and once a file is written the database checks what
needs the whole of it: repeated sourcedIds and usernames, and an enrollment's class,
teacher and student. Every problem is collected (not just the first) as
``file:line: column: message``; an import with any error changes nothing.
"""

from __future__ import annotations

from yearend.rosters.oneroster.academic_sessions import academic_sessions_validate
from yearend.rosters.oneroster.bundle import Bundle
from yearend.rosters.oneroster.classes import classes_validate
from yearend.rosters.oneroster.enrollments import enrollments_validate
from yearend.rosters.oneroster.manifest import bundle_tables
from yearend.rosters.oneroster.orgs import orgs_validate
from yearend.rosters.oneroster.parse import Problems, Table
from yearend.rosters.oneroster.roles import roles_validate
from yearend.rosters.oneroster.roster import Known, Roster, roster_finish
from yearend.rosters.oneroster.rows import (
    CLASS_COLUMNS,
    EDUCATOR_SCHOOL_COLUMNS,
    ENROLLMENT_COLUMNS,
    USER_COLUMNS,
)
from yearend.rosters.oneroster.users import users_validate
from yearend.rosters.staging.references import (
    enrollment_classes_check,
    enrollment_teachers_check,
    guardians_count,
    students_unknown,
)
from yearend.rosters.staging.statements import listed, repeats_mark
from yearend.rosters.staging.tables import (
    CLASSES,
    EDUCATOR_SCHOOLS,
    ENROLLMENTS,
    USERS,
    StageWriter,
)


def roster_stage(bundle: Bundle, known: Known) -> Roster:
    """Validate ``bundle`` into a ``Roster``, its users, classes and enrollments staged.
    ``known`` is what the organization already holds, for a delta file's references."""
    problems = Problems()
    roster = Roster()
    tables = bundle_tables(bundle, roster, problems)
    if problems.errors:
        return roster_finish(roster, problems)
    org_types = orgs_validate(tables.get("orgs"), roster, problems)
    academic_sessions_validate(tables.get("academicsessions"), roster, problems)
    roles = roles_validate(tables.get("roles"), problems)
    if "users" in tables:
        _users(tables["users"], roster, roles, org_types, known, problems)
    if "classes" in tables:
        _classes(tables["classes"], org_types, known, problems)
    if "enrollments" in tables:
        _enrollments(tables["enrollments"], roster, known, problems)
    return roster_finish(roster, problems)


def _users(table: Table, roster: Roster, roles, org_types, known: Known, problems) -> None:
    users = StageWriter(USERS, USER_COLUMNS)
    educator_schools = StageWriter(EDUCATOR_SCHOOLS, EDUCATOR_SCHOOL_COLUMNS)
    users_validate(
        table,
        roster,
        roles,
        org_types,
        known,
        problems,
        add_row=users.add,
        add_educator_school=educator_schools.add,
    )
    users.close()
    educator_schools.close()
    _sourced_ids_repeated(USERS, table, problems)
    listed(
        problems,
        table.name,
        repeats_mark(USERS, "username_key", "{t}.username_key IS NOT NULL", shown="username"),
        lambda username, first: f"username: '{username}' already used on line {first}",
    )


def _classes(table: Table, org_types, known: Known, problems: Problems) -> None:
    classes = StageWriter(CLASSES, CLASS_COLUMNS)
    classes_validate(table, org_types, known, problems, classes.add)
    classes.close()
    _sourced_ids_repeated(CLASSES, table, problems)


def _enrollments(table: Table, roster: Roster, known: Known, problems: Problems) -> None:
    enrollments = StageWriter(ENROLLMENTS, ENROLLMENT_COLUMNS)
    guardians = enrollments_validate(table, problems, enrollments.add)
    enrollments.close()
    _sourced_ids_repeated(ENROLLMENTS, table, problems)
    name = table.name
    classes_bulk = roster.modes.get("classes") == "bulk"
    users_bulk = roster.modes.get("users") == "bulk"
    found, skipped = enrollment_classes_check(known, stored=not classes_bulk)
    listed(
        problems,
        name,
        found,
        lambda class_id: f"classSourcedId: '{class_id}' is not a class in classes.csv",
    )
    if guardians:
        skipped += guardians_count()
    if skipped:
        problems.notice(name, f"{skipped} enrollment(s) of deleted classes or parents skipped")
    listed(
        problems,
        name,
        enrollment_teachers_check(known, stored=not users_bulk),
        lambda user: f"userSourcedId: '{user}' is not an educator in users.csv",
    )
    listed(
        problems,
        name,
        students_unknown(known.organization_id, known.epoch, stored=not users_bulk),
        lambda user, _: f"userSourcedId: '{user}' is not a student in users.csv",
    )


def _sourced_ids_repeated(staged: str, table: Table, problems: Problems) -> None:
    """Mark and report the rows of ``staged`` whose sourcedId an earlier row has."""
    listed(
        problems,
        table.name,
        repeats_mark(staged, "sid"),
        lambda sid, first: f"sourcedId: '{sid}' already appears on line {first}",
    )
