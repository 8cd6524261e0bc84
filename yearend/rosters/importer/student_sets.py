"""The organization's students against the staged ones, as statements."""

from __future__ import annotations

from yearend.people.models import Student
from yearend.rosters.oneroster.rows import DELETED, STUDENT
from yearend.rosters.staging.statements import count
from yearend.rosters.staging.tables import SCHOOLS, USERS, table_of


class StudentSets:
    """The organization's students of ``epoch`` against the staged students, as the
    FROM/WHERE of statements, with their parameters: stored students are ``s``, staged
    ones ``u``.

    "Has a sourcedId" is written ``NOT (x.sis_sourced_id = '')``, exactly as the partial
    unique indexes on (organization, epoch, sis_sourced_id) say it: SQLite uses a partial
    index only for a query whose terms repeat its condition, and with ``<> ''`` it looked
    each staged row up through another index, scanning the whole organization.
    """

    def __init__(self, organization_id: int, epoch: int, mode: str | None) -> None:
        self.org, self.epoch, self.mode = organization_id, epoch, mode
        self.stored = (
            "s.organization_id = %s AND s.epoch = %s AND NOT (s.sis_sourced_id = '')",
            [organization_id, epoch],
        )

    def existing(self) -> tuple[str, list]:
        where, params = self.stored
        return f"FROM {table_of(Student)} s WHERE {where}", params

    def added(self) -> tuple[str, list]:
        where, params = self.stored
        return (
            f"FROM {USERS} u WHERE u.kind = '{STUDENT}' AND NOT EXISTS (SELECT 1 FROM "
            f"{table_of(Student)} s WHERE {where} AND s.sis_sourced_id = u.sid)",
            params,
        )

    def changed(self) -> tuple[str, list]:
        """Stored students whose staged row differs. A school the import will create has
        no id yet (0 here), so its students count as changed, as they will be."""
        where, params = self.stored
        return (
            f"FROM {USERS} u JOIN {table_of(Student)} s ON s.sis_sourced_id = u.sid AND {where} "
            f"LEFT JOIN {SCHOOLS} m ON m.sid = u.school_sid WHERE u.kind = '{STUDENT}' AND NOT ("
            "s.username = u.username AND s.first_name = u.first_name AND "
            "s.last_name = u.last_name AND s.grade = u.grade AND "
            "s.school_id = COALESCE(m.id, 0))",
            params,
        )

    def removed(self) -> tuple[str, list]:
        """Bulk: stored students the file does not list. Delta: those it deletes."""
        where, params = self.stored
        sql = (
            f"FROM {table_of(Student)} s WHERE {where} AND NOT EXISTS (SELECT 1 FROM {USERS} u "
            f"WHERE u.sid = s.sis_sourced_id AND u.kind = '{STUDENT}')"
        )
        if self.mode != "bulk":
            sql += (
                f" AND EXISTS (SELECT 1 FROM {USERS} d "
                f"WHERE d.sid = s.sis_sourced_id AND d.kind = '{DELETED}')"
            )
        return sql, params

    count = staticmethod(count)
