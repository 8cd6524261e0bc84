"""The organization's student enrollments against the staged ones, as statements."""

from __future__ import annotations

from yearend.classes.models import Enrollment, SchoolClass
from yearend.people.models import Student
from yearend.rosters.oneroster.rows import DELETED, STUDENT
from yearend.rosters.staging.statements import count
from yearend.rosters.staging.tables import ENROLLMENTS, table_of


class EnrollmentSets:
    """The organization's enrollments (of students and classes of ``epoch``) against the
    staged ones, as the FROM/WHERE of statements: stored enrollments are ``e`` (their
    class ``c``, student ``s``), staged ones ``w``."""

    def __init__(self, organization_id: int, epoch: int, mode: str | None) -> None:
        self.org, self.epoch, self.mode = organization_id, epoch, mode

    def _stored(self) -> tuple[str, list]:
        return (
            f"FROM {table_of(Enrollment)} e "
            f"JOIN {table_of(SchoolClass)} c ON c.id = e.school_class_id AND c.epoch = %s "
            "AND NOT (c.sis_sourced_id = '') "
            f"JOIN {table_of(Student)} s ON s.id = e.student_id AND s.epoch = %s "
            "AND NOT (s.sis_sourced_id = '') WHERE e.organization_id = %s",
            [self.epoch, self.epoch, self.org],
        )

    def existing(self) -> tuple[str, list]:
        return self._stored()

    def resolved(self) -> tuple[str, list]:
        """Staged pairs with the stored class and student they name (NULL when absent)."""
        return (
            f"FROM {ENROLLMENTS} w LEFT JOIN {table_of(SchoolClass)} c ON c.organization_id = %s "
            "AND c.epoch = %s AND c.sis_sourced_id = w.class_sid AND NOT (c.sis_sourced_id = '') "
            f"LEFT JOIN {table_of(Student)} s ON s.organization_id = %s AND s.epoch = %s "
            "AND s.sis_sourced_id = w.user_sid AND NOT (s.sis_sourced_id = '') "
            f"WHERE w.kind = '{STUDENT}'",
            [self.org, self.epoch, self.org, self.epoch],
        )

    def not_stored(self) -> str:
        """The condition (over ``resolved``) of a pair not enrolled yet."""
        return (
            f"NOT EXISTS (SELECT 1 FROM {table_of(Enrollment)} e WHERE e.organization_id = "
            f"{int(self.org)} AND e.student_id = s.id AND e.school_class_id = c.id)"
        )

    def added(self) -> tuple[str, list]:
        sql, params = self.resolved()
        return (
            "FROM (SELECT DISTINCT w.class_sid, w.user_sid "
            f"{sql} AND (c.id IS NULL OR s.id IS NULL OR {self.not_stored()})) added",
            params,
        )

    def removed(self) -> tuple[str, list]:
        """Bulk: stored pairs the file does not list. Delta: those it deletes."""
        sql, params = self._stored()
        sql += (
            f" AND NOT EXISTS (SELECT 1 FROM {ENROLLMENTS} w WHERE w.user_sid = s.sis_sourced_id"
            f" AND w.class_sid = c.sis_sourced_id AND w.kind = '{STUDENT}')"
        )
        if self.mode != "bulk":
            sql += (
                f" AND EXISTS (SELECT 1 FROM {ENROLLMENTS} d WHERE d.user_sid = s.sis_sourced_id"
                f" AND d.class_sid = c.sis_sourced_id AND d.kind = '{DELETED}')"
            )
        return sql, params

    count = staticmethod(count)
