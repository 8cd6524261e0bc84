"""Statements over the staging tables, and the errors they find named by file and line.

A check that needs a whole file (a repeated sourcedId, an enrollment's class) is one
statement over the staged rows; its findings are listed line by line up to
``ERRORS_LISTED``, and the rest are counted.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress

from django.db import DatabaseError, connection

from yearend.rosters.staging.tables import REMOVED

ERRORS_LISTED = 1_000  # errors of one check named line by line; the rest are counted


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
