"""The check that stands in for the enrollment table's foreign-key constraints.

``Enrollment`` carries no database constraint on its references (see its docstring): a
trigger per inserted row cost more than the rest of a large import together. Instead the
importer runs ``enrollments_check`` in its own transaction after writing: one set-based
query proving that every enrollment of the organization points at a class and a student
of the same organization, and an error (the whole import rolls back) otherwise.
"""

from __future__ import annotations

from django.db import IntegrityError, connection

from yearend.classes.models import Enrollment, SchoolClass
from yearend.organizations.models import Organization
from yearend.people.models import Student


def enrollments_orphaned(organization: Organization) -> int:
    """How many of the organization's enrollments lack their class or student (or point
    at another organization's)."""
    q = connection.ops.quote_name
    enrollment, student, klass = (q(m._meta.db_table) for m in (Enrollment, Student, SchoolClass))
    sql = (
        f"SELECT COUNT(*) FROM {enrollment} e WHERE e.organization_id = %s AND ("
        f"NOT EXISTS (SELECT 1 FROM {student} s"
        " WHERE s.id = e.student_id AND s.organization_id = e.organization_id)"
        f" OR NOT EXISTS (SELECT 1 FROM {klass} c"
        " WHERE c.id = e.school_class_id AND c.organization_id = e.organization_id))"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [organization.pk])
        return cursor.fetchone()[0]


def enrollments_lock_parents(organization: Organization, epoch: int) -> None:
    """Keep the organization's current students and classes from being deleted by another
    transaction until ours ends, as the foreign-key triggers' row locks did: without it a
    student deleted while we insert their enrollment would leave it orphaned. One deleted
    before the lock is caught by ``enrollments_check`` after the insert.

    All of the current epoch, not only the rows new enrollments point at: one indexed
    statement, where naming 100,000 ids costs more than the extra locks.
    SQLite needs nothing: it has one writer at a time.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Student, SchoolClass):
            cursor.execute(
                # Counted on the server: the locked rows themselves are not wanted here.
                "SELECT COUNT(*) FROM (SELECT 1 FROM "
                f"{connection.ops.quote_name(model._meta.db_table)} "
                "WHERE organization_id = %s AND epoch = %s FOR KEY SHARE) locked",
                [organization.pk, epoch],
            )


def enrollments_check(organization: Organization) -> None:
    orphaned = enrollments_orphaned(organization)
    if orphaned:
        raise IntegrityError(
            f"{orphaned} enrollment(s) would point at a class or student that is not "
            "this organization's"
        )
