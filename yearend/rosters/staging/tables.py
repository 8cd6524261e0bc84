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
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction

logger = logging.getLogger(__name__)

USERS = "yer_stage_users"
EDUCATOR_SCHOOLS = "yer_stage_educator_schools"  # an educator row's schools, by its line
CLASSES = "yer_stage_classes"
ENROLLMENTS = "yer_stage_enrollments"
SCHOOLS = "yer_stage_schools"
REMOVED = "yer_stage_removed"  # ids of stored students the import removes
CHUNK = 5_000  # rows written at once: the most a staging writer holds

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


def table_of(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)
