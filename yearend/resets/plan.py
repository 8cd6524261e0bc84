"""What the reset deletes, derived from the models themselves, and the guarded SQL.

Roots are the reset-deleted models that carry a student ``epoch`` (students, classes);
every other reset-deleted model hangs off a root by a foreign key. The plan is computed
from model meta, so a new table with ``reset_policy = DELETE`` is purged, counted and
verified without anyone listing it here. A deleted model the plan cannot reach makes
the plan refuse to run rather than leave data behind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from django.db import models

from yearend.errors import ServiceError
from yearend.tenancy import models_deleted_by_reset

# Names people read in previews and certificates; other models use their table's name.
CATEGORY_NAMES = {
    "people.student": "students",
    "learning.tokenbalance": "tokens",
    "learning.thinkpointbalance": "think_points",
    "learning.avatar": "avatars",
    "learning.pathwayplacement": "pathway_placements",
    "learning.lessonprogress": "lesson_progress",
    "learning.assessment": "assessments",
    "learning.usagesession": "usage_sessions",
    "learning.factfluency": "fact_fluency",
    "classes.schoolclass": "classes",
    "classes.enrollment": "enrollments",
    "classes.teacherassignment": "teacher_assignments",
}


class PurgePlanError(ServiceError):
    code = "purge_plan"


class UnsafeStatement(ServiceError):
    """A purge statement without the tenant predicate: never executed."""

    code = "unsafe_statement"


def category(model: type[models.Model]) -> str:
    return CATEGORY_NAMES.get(model._meta.label_lower, model._meta.db_table)


@dataclass
class RootPlan:
    root: type[models.Model]
    # (child model, column that references the root), children before their own parents
    children: list[tuple[type[models.Model], str]] = field(default_factory=list)


def _has_epoch(model) -> bool:
    return any(f.name == "epoch" for f in model._meta.concrete_fields)


def _fks(model):
    return [f for f in model._meta.concrete_fields if f.many_to_one or f.one_to_one]


@cache
def purge_plan() -> tuple[RootPlan, ...]:
    deleted = models_deleted_by_reset()
    roots = [m for m in deleted if _has_epoch(m)]
    # Students before classes: enrollments go with their students' batches.
    roots.sort(key=lambda m: (m._meta.label_lower != "people.student", m._meta.label_lower))
    plans = []
    reached = set(roots)
    for root in roots:
        plan = RootPlan(root)
        kids = []
        for model in deleted:
            if model in roots:
                continue
            for fk in _fks(model):
                if fk.related_model is root:
                    kids.append((model, fk.column))
                    reached.add(model)
        plan.children = _children_first(kids)
        plans.append(plan)
    missing = [m._meta.label for m in deleted if m not in reached]
    if missing:
        raise PurgePlanError(
            "The reset cannot reach these reset-deleted tables through a student or a class: "
            + ", ".join(missing)
        )
    return tuple(plans)


def _children_first(kids):
    """Order so that a table referencing another table of the list is deleted first."""
    models_in = {m for m, _ in kids}
    ordered, seen = [], set()

    def visit(model, trail=()):
        if model in seen or model in trail:
            return
        for other in models_in:
            if other is not model and any(fk.related_model is model for fk in _fks(other)):
                visit(other, (*trail, model))
        seen.add(model)
        ordered.append(model)

    for model, _ in sorted(kids, key=lambda k: k[0]._meta.label_lower):
        visit(model)
    return [(m, col) for m in ordered for mm, col in kids if mm is m]


def root_link(model) -> tuple[str, type[models.Model]] | None:
    """The ORM path from a deleted model to its root (``''`` for a root), for counting."""
    if _has_epoch(model):
        return "", model
    for plan in purge_plan():
        for child, column in plan.children:
            if child is model:
                fk = next(f for f in _fks(model) if f.column == column)
                return fk.name + "__", plan.root
    return None


_TENANT_PREDICATE = re.compile(r"\bWHERE\s+organization_id\s*=\s*%s\s+AND\b", re.IGNORECASE)


def execute_guarded(cursor, sql: str, params: list, *, organization_id: int) -> int:
    """Run one purge statement, refusing any that is not constrained by the tenant key."""
    if not organization_id or not _TENANT_PREDICATE.search(sql):
        raise UnsafeStatement(f"Refused a purge statement without organization_id: {sql[:120]}")
    if not params or params[0] != organization_id:
        raise UnsafeStatement("Refused a purge statement bound to another organization.")
    cursor.execute(sql, params)
    return max(cursor.rowcount, 0)
