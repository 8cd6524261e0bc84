"""Set-based writes for large volumes: COPY on PostgreSQL, executemany on SQLite.

Rows are plain tuples in the order of ``columns``; datetimes may be given as ISO
strings (``'2024-08-15 13:05:00'``, read as UTC) so generators need not build objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import connection as default_connection
from django.db import models


def bulk_insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    connection=default_connection,
) -> int:
    """Insert rows; returns how many. Call inside a transaction for atomicity."""
    table = model._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg cursor: COPY is not part of the DB-API wrapper
            with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    placeholders = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"
    connection.ensure_connection()
    raw_connection = connection.connection
    batch: list[Sequence] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= 20_000:
            raw_connection.executemany(sql, batch)
            count += len(batch)
            batch.clear()
    if batch:
        raw_connection.executemany(sql, batch)
        count += len(batch)
    return count


def next_ids(
    model: type[models.Model], how_many: int, *, connection=default_connection
) -> Sequence[int]:
    """Reserve a block of primary keys for rows that other rows must reference.

    On PostgreSQL the block comes from the table's own sequence, so concurrent
    inserts never collide; on SQLite (one writer at a time) it follows max(id).
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, how_many],
            )
            return [r[0] for r in cursor.fetchall()]
        # sqlite_sequence remembers the highest id ever given (Django's SQLite tables are
        # AUTOINCREMENT), so ids of deleted rows — a purged student's — are never
        # handed out again; MAX(id) alone would reuse them.
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0), "
            "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        start = cursor.fetchone()[0] + 1
        # Advance the sequence over the block now, so a plain insert that comes before
        # ours (or after our rows are deleted) cannot take one of these ids either.
        cursor.execute(
            "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start + how_many - 1, table]
        )
        if cursor.rowcount == 0:
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                [table, start + how_many - 1],
            )
        return range(start, start + how_many)


@contextmanager
def large_write_cache(*, megabytes: int = 64, connection=default_connection) -> Iterator[None]:
    """A bigger SQLite page cache for the length of one large write.

    Rows inserted in one index's order land at random places in the table's other
    indexes; with SQLite's default cache (2 MB) each such insert re-reads pages that
    were just evicted, and a 400,000-row insert spends most of its time doing so. The
    cache is per connection and only bounds what SQLite may keep, so it is restored
    afterwards. Nothing changes on PostgreSQL, whose server manages its own buffers.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(megabytes) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")
