"""Checking a bundle before anything is written, and turning it into a ``Roster``.

Every problem is collected (not just the first) as ``file:line: column: message``; an
import with any error changes nothing. Values the spec defines as enumerations are
matched without regard to case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from yearend.rosters import references, staging
from yearend.rosters.oneroster.bundle import Bundle
from yearend.rosters.oneroster.parse import Problems, Table, read_table
from yearend.rosters.staging import StageWriter

BASE = ("sourcedId", "status", "dateLastModified")
# Each file's OneRoster 1.1 columns in the order the spec writes them; 1.2 adds columns
# after them. make_oneroster writes exactly these, so generated bundles match the reader.
V1P1_COLUMNS: dict[str, tuple[str, ...]] = {
    "orgs": (*BASE, "name", "type", "identifier", "parentSourcedId"),
    "users": (
        *BASE,
        "enabledUser",
        "orgSourcedIds",
        "role",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
    ),
    "classes": (
        *BASE,
        "title",
        "grades",
        "courseSourcedId",
        "classCode",
        "classType",
        "location",
        "schoolSourcedId",
        "termSourcedIds",
        "subjects",
        "subjectCodes",
        "periods",
    ),
    "enrollments": (
        *BASE,
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
        "primary",
        "beginDate",
        "endDate",
    ),
    "academicsessions": (
        *BASE,
        "title",
        "type",
        "startDate",
        "endDate",
        "parentSourcedId",
        "schoolYear",
    ),
}
FILES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # name: (known columns, required columns)
    "orgs": (
        (
            *V1P1_COLUMNS["orgs"],
            "metadata.classification",
            "metadata.gender",
            "metadata.boarding",
        ),
        ("sourcedId", "name", "type"),
    ),
    "users": (
        (
            *V1P1_COLUMNS["users"],
            "userMasterIdentifier",
            "preferredGivenName",
            "preferredMiddleName",
            "preferredFamilyName",
            "primaryOrgSourcedId",
            "pronouns",
            "resourceSourcedIds",
        ),
        ("sourcedId", "givenName", "familyName"),
    ),
    "roles": (
        (
            *BASE,
            "userSourcedId",
            "roleType",
            "role",
            "beginDate",
            "endDate",
            "orgSourcedId",
            "userProfileSourcedId",
        ),
        ("userSourcedId", "roleType", "role", "orgSourcedId"),
    ),
    "classes": (
        (*V1P1_COLUMNS["classes"], "resources"),
        ("sourcedId", "title", "schoolSourcedId"),
    ),
    "enrollments": (V1P1_COLUMNS["enrollments"], ("classSourcedId", "userSourcedId", "role")),
    "academicsessions": (V1P1_COLUMNS["academicsessions"], ("sourcedId", "type", "schoolYear")),
}
FILE_TITLES = {"academicsessions": "academicSessions"}
STATUSES = {"active": "active", "tobedeleted": "deleted", "inactive": "deleted", "": "active"}
ORG_TYPES = {"department", "school", "district", "local", "state", "national"}
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
ENROLLMENT_TEACHERS = {"teacher", "aide", "administrator", "proctor"}
SESSION_TYPES = {"gradingperiod", "semester", "schoolyear", "term"}
CLASS_TYPES = {"homeroom", "scheduled"}
BOOLEANS = {"true", "false", ""}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
)
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
YEAR = re.compile(r"^\d{4}$")

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


@dataclass
class Roster:
    """What a valid bundle says, beyond its rows. Modes are 'bulk', 'delta' or None.

    Users, classes and enrollments are not here: validation writes them to the staging
    tables (``yearend.rosters.staging``), where the comparison reads them. What is here
    grows with the schools only.
    """

    version: str = "1.1"
    modes: dict[str, str | None] = field(default_factory=dict)
    schools: dict[str, str] = field(default_factory=dict)
    school_year: str | None = None
    users_rows: int = 0
    errors: list[str] = field(default_factory=list)  # the first ones, then how many more
    error_count: int = 0
    notices: list[str] = field(default_factory=list)


@dataclass
class Known:
    """What the database already holds, for references a delta file may make: schools by
    sourcedId; classes, educators and students are looked up by the database (the
    organization's, of ``epoch``)."""

    organization_id: int | None = None
    epoch: int = 0
    schools: set[str] = field(default_factory=set)


def roster_validate(bundle: Bundle, known: Known | None = None) -> Roster:
    known = known or Known()
    problems = Problems()
    roster = Roster()
    _manifest(bundle, roster, problems)
    if problems.errors:
        return _finish(roster, problems)
    tables: dict[str, Table] = {}
    for kind, (columns, required) in FILES.items():
        if roster.modes.get(kind) is None:
            continue
        name = bundle.names.get(f"{kind}.csv", f"{FILE_TITLES.get(kind, kind)}.csv")
        table = read_table(
            name, bundle.files[f"{kind}.csv"], known=columns, required=required, problems=problems
        )
        if table is not None:
            tables[kind] = table
    if problems.errors:
        return _finish(roster, problems)
    org_types = _orgs(tables.get("orgs"), roster, problems)
    _sessions(tables.get("academicsessions"), roster, problems)
    roles = _roles(tables.get("roles"), problems)
    _users(tables.get("users"), roster, roles, org_types, known, problems)
    _classes(tables.get("classes"), roster, org_types, known, problems)
    _enrollments(tables.get("enrollments"), roster, known, problems)
    return _finish(roster, problems)


def _finish(roster: Roster, problems: Problems) -> Roster:
    roster.errors = problems.listed_errors()
    roster.error_count = problems.error_count
    roster.notices = problems.listed_notices()
    return roster


def _manifest(bundle: Bundle, roster: Roster, problems: Problems) -> None:
    if "manifest.csv" not in bundle.files:
        problems.error("manifest.csv", "missing: a OneRoster bundle starts with its manifest")
        return
    table = read_table(
        bundle.names["manifest.csv"],
        bundle.files["manifest.csv"],
        known=("propertyName", "value"),
        required=("propertyName", "value"),
        problems=problems,
    )
    if table is None:
        return
    properties: dict[str, str] = {}
    for _line, cells in table.rows:
        key = table.get(cells, "propertyName")
        properties[key.lower()] = table.get(cells, "value")
    roster.version = properties.get("oneroster.version", "1.1") or "1.1"
    if roster.version not in ("1.0", "1.1", "1.2"):
        problems.notice(
            "manifest.csv", f"oneroster.version: {roster.version} is not 1.1 or 1.2; read as 1.1"
        )
    handled = set(FILES)
    for key, value in properties.items():
        if not key.startswith("file."):
            continue
        kind = key[len("file.") :]
        mode = value.strip().lower()
        if mode in ("", "absent"):
            continue
        if mode not in ("bulk", "delta"):
            problems.error("manifest.csv", f"{key}: '{value}' is not bulk, delta or absent")
            continue
        if f"{kind}.csv" not in bundle.files:
            problems.error(f"{kind}.csv", f"missing, but manifest.csv lists it as {mode}")
            continue
        if kind in handled:
            roster.modes[kind] = mode
    for name in sorted(bundle.files):
        kind = name[: -len(".csv")]
        if name == "manifest.csv":
            continue
        if kind not in handled:
            problems.notice(bundle.names[name], "not used by this importer, ignored")
        elif roster.modes.get(kind) is None:
            problems.notice(bundle.names[name], "manifest.csv lists it as absent, ignored")


def _status(table: Table, line: int, cells: list[str], problems: Problems) -> str | None:
    return _status_reader(table, problems)(line, cells)


def _status_reader(table: Table, problems: Problems):
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


def _check_date(table: Table, line: int, cells: list[str], column: str, problems) -> None:
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


def _check_bool(table: Table, line: int, cells: list[str], column: str, problems) -> None:
    value = table.get(cells, column)
    if value not in BOOLEANS and value.lower() not in BOOLEANS:
        problems.error(f"{table.name}:{line}", f"{column}: '{value}' is not true or false")


def _unique(table: Table, line: int, sourced_id: str, seen: dict[str, int], problems) -> bool:
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


def _orgs(table: Table | None, roster: Roster, problems: Problems) -> dict[str, str]:
    types: dict[str, str] = {}
    if table is None:
        return types
    seen: dict[str, int] = {}
    for line, cells in table.rows:
        sourced_id = table.get(cells, "sourcedId")
        status = _status(table, line, cells, problems)
        if not _unique(table, line, sourced_id, seen, problems):
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


def _sessions(table: Table | None, roster: Roster, problems: Problems) -> None:
    if table is None:
        return
    seen: dict[str, int] = {}
    years: dict[str, list[str]] = {}
    for line, cells in table.rows:
        sourced_id = table.get(cells, "sourcedId")
        status = _status(table, line, cells, problems)
        _unique(table, line, sourced_id, seen, problems)
        kind = table.get(cells, "type")
        if kind.lower() not in SESSION_TYPES:
            problems.error(f"{table.name}:{line}", f"type: '{kind}' is not a session type")
        for column in ("startDate", "endDate"):
            _check_date(table, line, cells, column, problems)
        year = table.get(cells, "schoolYear")
        if not YEAR.match(year):
            problems.error(f"{table.name}:{line}", f"schoolYear: '{year}' is not a year (YYYY)")
            continue
        if status == "active":
            years.setdefault(kind.lower(), []).append(year)
    chosen = years.get("schoolyear") or [y for ys in years.values() for y in ys]
    if chosen:
        roster.school_year = max(chosen)


def _roles(table: Table | None, problems: Problems) -> dict[str, tuple[str, str]]:
    """OneRoster 1.2: each user's primary role and its org, from roles.csv."""
    primary: dict[str, tuple[str, str]] = {}
    if table is None:
        return primary
    for line, cells in table.rows:
        if _status(table, line, cells, problems) != "active":
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


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@lru_cache(maxsize=256)
def _grade_known(raw: str) -> str | None:
    parts = _split(raw)
    return GRADES.get(parts[0].upper() if parts else "")


def _grade(raw: str, where: str, problems: Problems) -> str:
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


def _users(table, roster: Roster, roles, org_types, known: Known, problems: Problems) -> None:
    """Check each row and stage it: students and educators with their values, an
    educator's schools in their own table. Every row with a sourcedId is staged, for the
    duplicate checks the database makes once the file is read."""
    if table is None:
        return
    writer = StageWriter(staging.USERS, staging.USER_COLUMNS)
    schools_of = StageWriter(staging.EDUCATOR_SCHOOLS, ("line", "school_sid"))
    other = (None,) * 8
    has_role = "role" in table.columns
    skipped = 0
    if "password" in table.columns:
        problems.notice(table.name, "password: not imported; students sign in through the product")
    status_of = _status_reader(table, problems)
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
            _check_bool(table, line, cells, "enabledUser", problems)
        if status == "deleted":
            writer.add((line, sourced_id, staging.DELETED, *other))
            continue
        if has_role:
            role = table.get(cells, "role").lower()
            orgs = _split(table.get(cells, "orgSourcedIds"))
        elif sourced_id in roles:
            role, org = roles[sourced_id]
            orgs = [org]
        else:
            problems.error(where, "role: no role column and no primary role in roles.csv")
            writer.add((line, sourced_id, staging.OTHER, *other))
            continue
        if not orgs and table.get(cells, "primaryOrgSourcedId"):
            orgs = [table.get(cells, "primaryOrgSourcedId")]
        if role not in EDUCATOR_ROLES and role not in OTHER_ROLES:
            problems.error(where, f"role: '{role}' is not a OneRoster role")
            writer.add((line, sourced_id, staging.OTHER, *other))
            continue
        if role in OTHER_ROLES and role not in STUDENT_ROLES:
            skipped += 1
            writer.add((line, sourced_id, staging.OTHER, *other))
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
            writer.add((line, sourced_id, staging.OTHER, *other))
            continue
        # Usernames are compared without regard to case, by the database once all are read.
        key = username.lower()
        if role in STUDENT_ROLES:
            if not schools:
                problems.error(where, _no_school(orgs, org_types, "a student"))
                writer.add((line, sourced_id, staging.REJECTED, username, key, *other[2:]))
                continue
            grade = _grade(table.get(cells, "grades"), where, problems)
            writer.add(
                (
                    line,
                    sourced_id,
                    staging.STUDENT,
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
            writer.add((line, sourced_id, staging.EDUCATOR_REJECTED, username, key, *other[2:]))
            continue
        writer.add(
            (
                line,
                sourced_id,
                staging.EDUCATOR,
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
            schools_of.add((line, school))
    writer.close()
    schools_of.close()
    if skipped:
        problems.notice(table.name, f"{skipped} parent or guardian account(s) not imported")
    staging.listed(
        problems,
        table.name,
        staging.repeats_mark(staging.USERS, "sid"),
        lambda sid, first: f"sourcedId: '{sid}' already appears on line {first}",
    )
    staging.listed(
        problems,
        table.name,
        staging.repeats_mark(
            staging.USERS, "username_key", "{t}.username_key IS NOT NULL", shown="username"
        ),
        lambda username, first: f"username: '{username}' already used on line {first}",
    )


def _no_school(orgs: list[str], org_types: dict[str, str], who: str) -> str:
    found = ", ".join(f"'{o}' is a {org_types[o]}" for o in orgs if o in org_types)
    return f"orgSourcedIds: {who} needs a school" + (f" ({found})" if found else "")


def _classes(table, roster: Roster, org_types, known: Known, problems: Problems) -> None:
    """Check each row and stage it; the database finds repeated sourcedIds once the file
    is read."""
    if table is None:
        return
    writer = StageWriter(staging.CLASSES, staging.CLASS_COLUMNS)
    status_of = _status_reader(table, problems)
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
            writer.add((line, sourced_id, staging.DELETED, None, None, None))
            continue
        school = table.get(cells, "schoolSourcedId")
        if org_types.get(school) != "school" and school not in known.schools:
            writer.add((line, sourced_id, staging.REJECTED, None, None, None))
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
            writer.add((line, sourced_id, staging.OTHER, None, None, None))
            continue
        grades = _split(table.get(cells, "grades"))
        grade = GRADES.get(grades[0].upper(), "") if grades else ""
        writer.add((line, sourced_id, staging.CLASS, title[:200], school, grade))
    writer.close()
    staging.listed(
        problems,
        table.name,
        staging.repeats_mark(staging.CLASSES, "sid"),
        lambda sid, first: f"sourcedId: '{sid}' already appears on line {first}",
    )


def _enrollments(table, roster: Roster, known: Known, problems: Problems) -> None:
    """Check each row on its own and stage it; the database then checks every row's
    class, student or teacher (and repeated sourcedIds) once the file is read."""
    if table is None:
        return
    writer = StageWriter(staging.ENROLLMENTS, staging.ENROLLMENT_COLUMNS)
    add = writer.add
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
    status_of = _status_reader(table, problems)
    name = table.name
    guardians = 0
    for line, cells in table.rows:
        sourced_id = cells[i_sid].strip()
        status = status_of(line, cells)
        if not sourced_id:
            problems.error(f"{name}:{line}", "sourcedId: empty")
            continue
        if cells[i_primary] and cells[i_primary].strip() not in BOOLEANS:
            _check_bool(table, line, cells, "primary", problems)
        if cells[i_begin] or cells[i_end]:
            for column in ("beginDate", "endDate"):
                _check_date(table, line, cells, column, problems)
        class_id, user_id = cells[i_class].strip(), cells[i_user].strip()
        if status == "deleted":
            add((line, sourced_id, staging.DELETED, class_id, user_id))
            continue
        role = cells[i_role].strip()
        if role != "student":
            role = role.lower()
        if role == "student":
            kind = staging.STUDENT
        elif role in ENROLLMENT_TEACHERS:
            kind = staging.TEACHER
        elif role in ("parent", "guardian", "relative"):
            kind = staging.GUARDIAN
            guardians += 1
        else:
            problems.error(
                f"{name}:{line}", f"role: '{table.get(cells, 'role')}' is not a OneRoster role"
            )
            add((line, sourced_id, staging.OTHER, None, None))
            continue
        add((line, sourced_id, kind, class_id, user_id))
    writer.close()
    staging.listed(
        problems,
        name,
        staging.repeats_mark(staging.ENROLLMENTS, "sid"),
        lambda sid, first: f"sourcedId: '{sid}' already appears on line {first}",
    )
    classes_bulk = roster.modes.get("classes") == "bulk"
    users_bulk = roster.modes.get("users") == "bulk"
    found, skipped = references.enrollment_classes_check(known, stored=not classes_bulk)
    staging.listed(
        problems,
        name,
        found,
        lambda class_id: f"classSourcedId: '{class_id}' is not a class in classes.csv",
    )
    if guardians:
        skipped += references.guardians_count()
    if skipped:
        problems.notice(
            table.name, f"{skipped} enrollment(s) of deleted classes or parents skipped"
        )
    staging.listed(
        problems,
        name,
        references.enrollment_teachers_check(known, stored=not users_bulk),
        lambda user: f"userSourcedId: '{user}' is not an educator in users.csv",
    )
    staging.listed(
        problems,
        name,
        staging.students_unknown(known.organization_id, known.epoch, stored=not users_bulk),
        lambda user, _: f"userSourcedId: '{user}' is not a student in users.csv",
    )
