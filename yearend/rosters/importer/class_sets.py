"""The organization's classes and teacher assignments against the staged ones, as
statements (see ``yearend.rosters.importer.educator_sets``): stored classes are ``c``, staged
ones ``k``; stored assignments ``a`` (class ``c``, teacher ``p``), wanted ones ``t``."""

from __future__ import annotations

from yearend.classes.models import SchoolClass, TeacherAssignment
from yearend.people.models import User
from yearend.rosters.importer.link_sets import LinkSets
from yearend.rosters.oneroster.rows import CLASS, DELETED, TEACHER
from yearend.rosters.staging.tables import CLASSES, ENROLLMENTS, SCHOOLS, table_of

STAGED = f"k.kind = '{CLASS}' AND k.dup = 0"


class ClassSets:
    def __init__(self, organization_id: int, epoch: int, mode: str | None) -> None:
        self.org, self.epoch, self.mode = organization_id, epoch, mode
        self.klass = table_of(SchoolClass)

    def stored(self, alias: str) -> tuple[str, list]:
        # As the partial unique index on (organization, epoch, sis_sourced_id) says it.
        return (
            f"{alias}.organization_id = %s AND {alias}.epoch = %s "
            f"AND NOT ({alias}.sis_sourced_id = '')",
            [self.org, self.epoch],
        )

    def existing(self) -> tuple[str, list]:
        where, params = self.stored("c")
        return f"FROM {self.klass} c WHERE {where}", params

    def added(self) -> tuple[str, list]:
        where, params = self.stored("c")
        return (
            f"FROM {CLASSES} k WHERE {STAGED} AND NOT EXISTS (SELECT 1 FROM {self.klass} c "
            f"WHERE {where} AND c.sis_sourced_id = k.sid)",
            params,
        )

    def changed(self) -> tuple[str, list]:
        """Stored classes whose staged row differs. A school the import will create has no
        id yet (0 here), so its classes count as changed, as they will be."""
        where, params = self.stored("c")
        return (
            f"FROM {CLASSES} k JOIN {self.klass} c ON c.sis_sourced_id = k.sid AND {where} "
            f"LEFT JOIN {SCHOOLS} m ON m.sid = k.school_sid WHERE {STAGED} AND NOT ("
            "c.name = k.title AND c.school_id = COALESCE(m.id, 0) AND c.grade = k.grade)",
            params,
        )

    def removed(self) -> tuple[str, list]:
        """Bulk: stored classes classes.csv does not list. Delta: those it deletes."""
        sql, params = self.existing()
        sql += (
            f" AND NOT EXISTS (SELECT 1 FROM {CLASSES} k WHERE k.sid = c.sis_sourced_id "
            f"AND {STAGED})"
        )
        if self.mode != "bulk":
            sql += (
                f" AND EXISTS (SELECT 1 FROM {CLASSES} d WHERE d.sid = c.sis_sourced_id "
                f"AND d.kind = '{DELETED}' AND d.dup = 0)"
            )
        return sql, params


class AssignmentSets(LinkSets):
    def __init__(self, organization_id: int, epoch: int, mode: str | None) -> None:
        self.mode = mode
        assignment, klass, user = (table_of(m) for m in (TeacherAssignment, SchoolClass, User))
        super().__init__(
            stored=(
                # Each table constrained by the organization: the lookups of a staged
                # pair's class and teacher then use their (organization, sourcedId) indexes.
                f"FROM {assignment} a JOIN {klass} c ON c.id = a.school_class_id "
                "AND c.organization_id = %s AND c.epoch = %s AND NOT (c.sis_sourced_id = '') "
                f"JOIN {user} p ON p.id = a.teacher_id AND p.organization_id = %s "
                "AND NOT (p.sis_sourced_id = '') WHERE a.organization_id = %s",
                [organization_id, epoch, organization_id, organization_id],
            ),
            wanted=(
                f"(SELECT DISTINCT class_sid, user_sid FROM {ENROLLMENTS} "
                f"WHERE kind = '{TEACHER}') t"
            ),
            match="c.sis_sourced_id = t.class_sid AND p.sis_sourced_id = t.user_sid",
        )

    def removed(self) -> tuple[str, list]:
        """Bulk: stored assignments enrollments.csv does not list. Delta: those it deletes."""
        sql, params = self.stored
        # The staged rows themselves, through their (user, class) index: a derived table
        # of the wanted pairs here would be computed again for each stored assignment.
        sql += (
            f" AND NOT EXISTS (SELECT 1 FROM {ENROLLMENTS} w WHERE w.user_sid = "
            f"p.sis_sourced_id AND w.class_sid = c.sis_sourced_id AND w.kind = '{TEACHER}')"
        )
        if self.mode != "bulk":
            sql += (
                f" AND EXISTS (SELECT 1 FROM {ENROLLMENTS} d WHERE d.user_sid = "
                f"p.sis_sourced_id AND d.class_sid = c.sis_sourced_id AND d.kind = '{DELETED}')"
            )
        return sql, params
