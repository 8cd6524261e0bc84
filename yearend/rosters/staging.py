"""Staging tables: a bundle's users, classes and enrollments kept by the database.

Validation writes each row it has checked on its own into a temporary table, a chunk at
a time (COPY on PostgreSQL), instead of holding the roster in Python. What needs the
whole file (duplicate sourcedIds and usernames, an enrollment's class, student or
teacher) and the comparison with the stored roster are then statements over these
tables, so an import's memory is one chunk of rows, however large the bundle.

The tables are temporary: private to the import's database connection (two imports of
different organizations never see each other's rows) and gone with it. Each import
creates them afresh and drops them when it ends. Every staged row keeps its line number,
so an error found by a statement still names its file and line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress

from django.db import DatabaseError, connection, transaction

from yearend.people.models import Student

logger = logging.getLogger(__name__)

USERS = "yer_stage_users"
EDUCATOR_SCHOOLS = "yer_stage_educator_schools"  # an educator row's schools, by its line
CLASSES = "yer_stage_classes"
ENROLLMENTS = "yer_stage_enrollments"
SCHOOLS = "yer_stage_schools"
REMOVED = "yer_stage_removed"  # ids of stored students the import removes
CHUNK = 5_000  # rows written at once: the most a staging writer holds
ERRORS_LISTED = 1_000  # errors of one check named line by line; the rest are counted

# Kind of a staged row. Users: STUDENT, REJECTED (a student with an error, reported),
# EDUCATOR, EDUCATOR_REJECTED (reported), DELETED, OTHER (not imported). Classes: CLASS,
# REJECTED (its school is wrong, reported: its enrollments are not reported again),
# DELETED, OTHER. Enrollments: STUDENT, TEACHER, GUARDIAN (skipped), DELETED, OTHER.
STUDENT, REJECTED, EDUCATOR, DELETED, OTHER = "s", "r", "e", "d", "x"
EDUCATOR_REJECTED, CLASS, TEACHER, GUARDIAN = "q", "c", "t", "g"

_TABLES = {
    # line: where the row starts in its file; dup: 1 for a sourcedId's repeats
    USERS: (
        "line INTEGER NOT NULL, sid VARCHAR(255) NOT NULL, kind CHAR(1) NOT NULL, "
        "dup SMALLINT NOT NULL DEFAULT 0, username VARCHAR(150), username_key VARCHAR(150), "
        "first_name VARCHAR(150), last_name VARCHAR(150), grade VARCHAR(3), "
        "school_sid VARCHAR(255), email VARCHAR(254), role VARCHAR(20)"
    ),
    EDUCATOR_SCHOOLS: "line INTEGER NOT NULL, school_sid VARCHAR(255) NOT NULL",
    CLASSES: (
        "line INTEGER NOT NULL, sid VARCHAR(255) NOT NULL, kind CHAR(1) NOT NULL, "
        "dup SMALLINT NOT NULL DEFAULT 0, title VARCHAR(200), school_sid VARCHAR(255), "
        "grade VARCHAR(3)"
    ),
    ENROLLMENTS: (
        "line INTEGER NOT NULL, sid VARCHAR(255) NOT NULL, kind CHAR(1) NOT NULL, "
        "dup SMALLINT NOT NULL DEFAULT 0, class_sid VARCHAR(255), user_sid VARCHAR(255)"
    ),
    SCHOOLS: "sid VARCHAR(255) NOT NULL, id BIGINT NOT NULL",
    REMOVED: "id BIGINT NOT NULL PRIMARY KEY",
}
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
CLASS_COLUMNS = ("line", "sid", "kind", "title", "school_sid", "grade")
ENROLLMENT_COLUMNS = ("line", "sid", "kind", "class_sid", "user_sid")


def staging_create() -> None:
    """Empty staging tables for one import on this connection."""
    with connection.cursor() as cursor:
        for table, columns in _TABLES.items():
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TEMPORARY TABLE {table} ({columns})")


def staging_drop() -> None:
    with connection.cursor() as cursor:
        for table in _TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


@contextmanager
def staging() -> Iterator[None]:
    staging_create()
    try:
        yield
    finally:
        try:
            staging_drop()
        except DatabaseError:
            # A failed transaction cannot drop them; they go with the connection (or the
            # next import's staging_create drops them).
            logger.warning("roster staging tables left for the connection to drop")


class StageWriter:
    """Rows for one staging table, written a chunk at a time."""

    def __init__(self, table: str, columns: Sequence[str]) -> None:
        self.table, self.columns = table, tuple(columns)
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        names = ", ".join(self.columns)
        if connection.vendor == "postgresql":
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {self.table} ({names}) FROM STDIN") as copy,
            ):
                for row in self.rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(self.columns))
            # One transaction per chunk: in autocommit SQLite commits each row of an
            # executemany on its own, and once earlier staging tables left free pages in
            # the connection's temporary database each such commit journals them: a second
            # import on one connection (a sync of several districts) staged 6x slower.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {self.table} ({names}) VALUES ({marks})", self.rows
                )
        self.written += len(self.rows)
        self.rows = []

    def close(self) -> None:
        """Write what is left and prepare the table for the statements that read it."""
        self.flush()
        with connection.cursor() as cursor:
            if self.table in (USERS, CLASSES):
                cursor.execute(
                    f"CREATE INDEX {_index_name(self.table, 'sid')} ON {self.table} (sid)"
                )
            if self.table == EDUCATOR_SCHOOLS:
                cursor.execute(
                    f"CREATE INDEX {_index_name(self.table, 'line')} ON {self.table} (line)"
                )
            if connection.vendor == "postgresql":
                # Temporary tables are never analysed automatically: without statistics the
                # planner guesses their size and may loop where it should hash.
                cursor.execute(f"ANALYZE {self.table}")


def index_pairs() -> None:
    """Index the staged enrollments by (student, class), for comparing them with stored
    ones (not needed, and not built, when the organization has none)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {_index_name(ENROLLMENTS, 'pair')} "
            f"ON {ENROLLMENTS} (user_sid, class_sid)"
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {ENROLLMENTS}")


def _index_name(table: str, what: str) -> str:
    # SQLite names a temporary table's index in the temp schema; PostgreSQL takes no schema.
    name = f"{table}_{what}"
    return f"temp.{name}" if connection.vendor == "sqlite" else name


def school_map_write(school_ids: dict[str, int]) -> None:
    """The organization's schools by sourcedId (those the import will link by name too)."""
    writer = StageWriter(SCHOOLS, ("sid", "id"))
    for sid, pk in school_ids.items():
        writer.add((sid, pk))
    writer.flush()


@contextmanager
def _hashed_joins(cursor) -> Iterator[None]:
    """PostgreSQL joins staged rows to stored ones by hashing, not in nested loops.

    Its statistics for a large shared table are refreshed only after a tenth of it has
    changed, so right after a district's first import they may still say the district
    has no students: the planner then loops over every stored row for each staged one
    (hours for 100,000 students) where hashing takes a fraction of a second. A join of
    the few rows of a small delta costs a scan of the district's rows at most.
    """
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SET enable_nestloop = off")
    try:
        yield
    finally:
        # In a failed transaction the RESET fails too, and the rollback undoes the SET.
        with suppress(DatabaseError):
            cursor.execute("RESET enable_nestloop")


def fetch_all(sql: str, params: Sequence = ()) -> list[tuple]:
    with connection.cursor() as cursor, _hashed_joins(cursor):
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def fetch_one(sql: str, params: Sequence = ()):
    with connection.cursor() as cursor, _hashed_joins(cursor):
        cursor.execute(sql, list(params))
        return cursor.fetchone()[0]


def execute(sql: str, params: Sequence = ()) -> int:
    with connection.cursor() as cursor, _hashed_joins(cursor):
        cursor.execute(sql, list(params))
        return cursor.rowcount


def count(part: tuple[str, Sequence]) -> int:
    """How many rows a (FROM/WHERE, parameters) part of a statement names."""
    return fetch_one(f"SELECT COUNT(*) {part[0]}", part[1])


def stream_column(sql: str, params: Sequence = ()) -> Iterator:
    """The first column of each row a query returns, fetched a chunk at a time."""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        while rows := cursor.fetchmany(CHUNK):
            for row in rows:
                yield row[0]


def ids_in_chunks(size: int) -> Iterator[list[int]]:
    """The ids ``REMOVED`` holds, ``size`` at a time in order (the caller may delete the
    rows they name between chunks)."""
    last = 0
    while chunk := [
        row[0]
        for row in fetch_all(
            f"SELECT id FROM {REMOVED} WHERE id > %s ORDER BY id LIMIT {int(size)}", [last]
        )
    ]:
        last = chunk[-1]
        yield chunk


def repeats_mark(
    table: str, key: str, where: str = "1 = 1", *, shown: str | None = None
) -> tuple[list[tuple[int, str, int]], int]:
    """Find rows of ``table`` whose ``key`` an earlier row (by line) already has and mark
    them ``dup = 1``. Returns up to ``ERRORS_LISTED`` of them as (line, ``shown`` column,
    line of the first), and how many more there are.

    ``where`` chooses the rows compared, its columns named through ``{t}``. Rows already
    marked take no part: a repeated sourcedId's row does not also repeat a username.
    """

    def only(alias: str) -> str:
        return f"{alias}.dup = 0 AND " + where.format(t=alias)

    groups = (
        f"SELECT s.{key} AS k, MIN(s.line) AS first FROM {table} s WHERE {only('s')} "
        f"GROUP BY s.{key} HAVING COUNT(*) > 1"
    )
    found = fetch_all(
        f"SELECT t.line, t.{shown or key}, g.first FROM {table} t "
        f"JOIN ({groups}) g ON g.k = t.{key} "
        f"WHERE t.line > g.first AND {only('t')} ORDER BY t.line LIMIT {ERRORS_LISTED + 1}"
    )
    if not found:
        return [], 0
    marked = execute(
        f"UPDATE {table} SET dup = 1 FROM ({groups}) g "
        f"WHERE g.k = {table}.{key} AND {table}.line > g.first AND {only(table)}"
    )
    return found[:ERRORS_LISTED], max(marked - ERRORS_LISTED, 0)


def listed(problems, name: str, found: tuple[list[tuple], int], message) -> None:
    """Record the errors a staging statement found as ``name:line: ...``: ``message`` makes
    each one's text from its row (line first); the ones past the list are counted."""
    rows, more = found
    for row in rows:
        problems.error(f"{name}:{row[0]}", message(*row[1:]))
    if more:
        problems.error(name, f"{more:,} more such errors, not listed", count=more)


def found_rows(columns: str, where: str, params: Sequence = ()) -> tuple[list[tuple], int]:
    """Rows of ``SELECT columns {where}`` (``where`` has FROM, WHERE and an ``ORDER BY``
    the caller wants listed in): up to ``ERRORS_LISTED`` of them, and how many more."""
    found = fetch_all(f"SELECT {columns} {where} LIMIT {ERRORS_LISTED + 1}", params)
    more = 0
    if len(found) > ERRORS_LISTED:
        unordered = where.rsplit(" ORDER BY ", 1)[0]
        more = fetch_one(f"SELECT COUNT(*) {unordered}", params) - ERRORS_LISTED
    return found[:ERRORS_LISTED], more


def students_unknown(
    organization_id: int | None, epoch: int, *, stored: bool
) -> tuple[list[tuple], int]:
    """Staged student enrollments whose student is not a student of users.csv (nor, with
    ``stored``, one the database holds that users.csv does not delete): (line, sourcedId,
    0) of up to ``ERRORS_LISTED``, and how many more. A student users.csv rejected was
    reported there and is not reported again."""
    student = table_of(Student)
    stored_clause = (
        f" AND NOT EXISTS (SELECT 1 FROM {student} p WHERE p.organization_id = %s"
        " AND p.epoch = %s AND p.sis_sourced_id = e.user_sid AND NOT (p.sis_sourced_id = '')"
        f" AND NOT EXISTS (SELECT 1 FROM {USERS} d WHERE d.sid = e.user_sid"
        f" AND d.kind = '{DELETED}'))"
        if stored
        else ""
    )
    params = [organization_id, epoch] if stored else []
    where = (
        f"FROM {ENROLLMENTS} e WHERE e.kind = '{STUDENT}' AND e.dup = 0 "
        f"AND NOT EXISTS (SELECT 1 FROM {USERS} u WHERE u.sid = e.user_sid "
        f"AND u.kind IN ('{STUDENT}', '{REJECTED}') AND u.dup = 0){stored_clause}"
    )
    return found_rows("e.line, e.user_sid, 0", f"{where} ORDER BY e.line", params)


def table_of(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)
