"""What a held import would do, for the administrator who reviews it: counts per kind,
and a few names of what would be added, changed and removed."""

from __future__ import annotations

from yearend.classes.models import SchoolClass
from yearend.organizations.models import Organization
from yearend.people.models import User
from yearend.rosters.plan import StudentSets
from yearend.rosters.staging import fetch_all

SAMPLE = 20


def import_preview(organization: Organization, roster, plan) -> dict:
    """Counts, and a few names of what would be added, changed and removed, for the reviewer."""
    students = StudentSets(organization.pk, plan.epoch, roster.modes.get("users"))

    def student_names(part: tuple[str, list], column: str, order: str) -> list[str]:
        sql, params = part
        rows = fetch_all(f"SELECT {column} {sql} ORDER BY {order} LIMIT {SAMPLE}", params)
        return [row[0] for row in rows]

    class_names = dict(
        SchoolClass.tenant.of(organization)
        .filter(
            id__in=[*plan.classes.removed[:SAMPLE], *(i for i, _ in plan.classes.changed[:SAMPLE])]
        )
        .values_list("id", "name")
    )
    educator_names = dict(
        User.objects.filter(
            organization=organization,
            id__in=[
                *plan.educators.removed[:SAMPLE],
                *(i for i, _ in plan.educators.changed[:SAMPLE]),
            ],
        ).values_list("id", "username")
    )
    return {
        "counts": plan.counts(),
        "samples": {
            "students": {
                "added": student_names(students.added(), "u.username", "u.line"),
                "changed": student_names(students.changed(), "s.username", "u.line"),
                "removed": student_names(students.removed(), "s.username", "s.id"),
            },
            "educators": {
                "added": [v[0] for _, v in plan.educators.added[:SAMPLE]],
                "changed": [educator_names.get(i, "") for i, _ in plan.educators.changed[:SAMPLE]],
                "removed": [educator_names.get(i, "") for i in plan.educators.removed[:SAMPLE]],
            },
            "classes": {
                "added": [c[1] for c in plan.classes.added[:SAMPLE]],
                "changed": [class_names.get(i, "") for i, _ in plan.classes.changed[:SAMPLE]],
                "removed": [class_names.get(i, "") for i in plan.classes.removed[:SAMPLE]],
            },
        },
    }
