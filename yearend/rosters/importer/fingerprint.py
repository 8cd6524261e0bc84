"""A fingerprint of the roster an organization holds in the database.

Re-importing the bundle that was applied last is the common case of an automated sync,
and nothing changes unless the database changed since. Comparing the whole roster row by
row costs as much as validating it; instead the last import records this fingerprint of
what it left (in its own transaction), and a re-import of the same bundle compares it
with one computed afresh. Any change to a row the import compares (a renamed student,
a moved enrollment, a reset's new epoch) changes the fingerprint, and the import then
takes the full path. It is computed by the database (one aggregate per table, no rows
sent to Python), from a count and a sum of row hashes per table (64-bit on PostgreSQL,
32-bit on SQLite).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from django.db import connection

from yearend.classes.models import Enrollment, SchoolClass, TeacherAssignment
from yearend.organizations.models import Organization, School
from yearend.people.models import SchoolMembership, Student, User
from yearend.rosters.oneroster.roster import Roster

SQLITE_HASH = "yer_row_hash"
ROSTERS = Path(__file__).resolve().parent.parent
# The importer's own modules that decide what a roster compares as.
COMPARING = ("plan", "student_sets", "enrollment_sets", "educator_sets", "class_sets", "link_sets")


def is_full_snapshot(roster: Roster) -> bool:
    """Only a bundle whose every roster file is bulk leaves a state that re-reading it
    must reproduce exactly; a delta's outcome depends on what it was applied to."""
    return not roster.errors and all(
        roster.modes.get(kind) == "bulk" for kind in ("orgs", "users", "classes", "enrollments")
    )


@lru_cache(maxsize=1)
def importer_version() -> str:
    """Changes whenever the code that reads and compares rosters does (every module of
    ``oneroster`` and ``staging``, and the plan and its statement sets), so a fingerprint
    recorded by an older importer is never trusted."""
    sha = hashlib.sha256()
    for path in _comparing_code():
        sha.update(path.read_bytes())
    return sha.hexdigest()[:12]


def _comparing_code() -> list[Path]:
    read = [
        path for package in ("oneroster", "staging") for path in (ROSTERS / package).glob("*.py")
    ]
    return sorted(read) + [ROSTERS / "importer" / f"{name}.py" for name in COMPARING]


def _parts(organization_id: int, epoch: int) -> Iterator[tuple[str, type, list[str], str, list]]:
    """(label, model, columns, WHERE, params): every column a roster import compares."""
    org = "organization_id = %s"
    linked = "sis_sourced_id <> ''"
    yield "schools", School, ["id", "sis_sourced_id", "name"], org, [organization_id]
    yield (
        "educators",
        User,
        [
            "id",
            "sis_sourced_id",
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "is_active",
        ],
        f"{org} AND {linked}",
        [organization_id],
    )
    yield (
        "classes",
        SchoolClass,
        ["id", "sis_sourced_id", "name", "school_id", "grade"],
        f"{org} AND epoch = %s AND {linked}",
        [organization_id, epoch],
    )
    yield (
        "students",
        Student,
        ["id", "sis_sourced_id", "username", "first_name", "last_name", "grade", "school_id"],
        f"{org} AND epoch = %s AND {linked}",
        [organization_id, epoch],
    )
    yield "enrollments", Enrollment, ["school_class_id", "student_id"], org, [organization_id]
    yield (
        "assignments",
        TeacherAssignment,
        ["school_class_id", "teacher_id"],
        org,
        [organization_id],
    )
    yield "memberships", SchoolMembership, ["user_id", "school_id"], org, [organization_id]


def _row_hash_sql(columns: list[str]) -> str:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        # concat_ws skips NULLs, which no compared column holds; chr(31) cannot be in a value
        # that matters (unit separator), so column boundaries stay unambiguous.
        return f"hashtextextended(concat_ws(chr(31), {quoted}), 0)"
    return f"{SQLITE_HASH}({quoted})"


def _sqlite_row_hash(*values) -> int:
    text = "\x1f".join(map(str, values)).encode()
    # 32 bits: sums over two billion rows still fit SQLite's 64-bit integers.
    return int.from_bytes(hashlib.blake2b(text, digest_size=4).digest(), "big")


def roster_fingerprint(organization: Organization, epoch: int) -> str:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_HASH, -1, _sqlite_row_hash, deterministic=True)
    # The importer's version too: a new importer may read the same bundle differently.
    digest = hashlib.sha256(f"{importer_version()}|epoch:{epoch}".encode())
    with connection.cursor() as cursor:
        for label, model, columns, where, params in _parts(organization.pk, epoch):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(
                f"SELECT COUNT(*), COALESCE(SUM({_row_hash_sql(columns)}), 0) "
                f"FROM {table} WHERE {where}",
                params,
            )
            count, total = cursor.fetchone()
            digest.update(f"|{label}:{count}:{total}".encode())
    return digest.hexdigest()
