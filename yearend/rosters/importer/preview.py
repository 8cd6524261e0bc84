"""What a held import would do, for the administrator who reviews it: counts per kind,
and a few names of what would be added, changed and removed (the same conditions the
plan counted and the apply would write with, limited to a sample)."""

from __future__ import annotations

from yearend.organizations.models import Organization
from yearend.rosters.importer.class_sets import ClassSets
from yearend.rosters.importer.educator_sets import EducatorSets
from yearend.rosters.importer.student_sets import StudentSets
from yearend.rosters.staging.statements import fetch_all

SAMPLE = 20


def import_preview(organization: Organization, roster, plan) -> dict:
    modes = roster.modes
    students = StudentSets(organization.pk, plan.epoch, modes.get("users"))
    educators = EducatorSets(organization.pk, modes.get("users"))
    classes = ClassSets(organization.pk, plan.epoch, modes.get("classes"))
    return {
        "counts": plan.counts(),
        "samples": {
            "students": {
                "added": _names(students.added(), "u.username", "u.line"),
                "changed": _names(students.changed(), "s.username", "u.line"),
                "removed": _names(students.removed(), "s.username", "s.id"),
            },
            "educators": {
                "added": _names(educators.added(), "u.username", "u.line"),
                "changed": _names(educators.changed(), "p.username", "u.line"),
                "removed": _names(educators.removed(), "p.username", "p.id"),
            },
            "classes": {
                "added": _names(classes.added(), "k.title", "k.line"),
                "changed": _names(classes.changed(), "c.name", "k.line"),
                "removed": _names(classes.removed(), "c.name", "c.id"),
            },
        },
    }


def _names(part: tuple[str, list], column: str, order: str) -> list[str]:
    sql, params = part
    return [
        row[0]
        for row in fetch_all(f"SELECT {column} {sql} ORDER BY {order} LIMIT {SAMPLE}", params)
    ]
