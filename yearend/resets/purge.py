"""The purge: deleting an organization's old school year, set-based and resumable.

What it deletes is derived from the models themselves (the plan). Roots are the
reset-deleted models that carry a student ``epoch`` (students, classes); every other
reset-deleted model hangs off a root by a foreign key. A new table with
``reset_policy = DELETE`` is purged, counted and verified without anyone listing it here;
a deleted model the plan cannot reach makes the plan refuse to run rather than leave data
behind. Every statement is guarded by the tenant key.

How it deletes: in parts (one per school where the database lets schools be purged
side by side, else one organization-wide pass), each in keyset batches of roots with their
children, one transaction per batch with the progress row that counts it, the batch size
steered to a time target. A part's progress survives any crash; a part is done once.

The engine (engine.py) runs the purge step and decides when the run moves on; dispatch.py
spreads a large run's parts over the workers.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import QuerySet

from yearend.errors import ServiceError
from yearend.organizations.models import School
from yearend.resets.drivers import run_heard_from
from yearend.resets.models import ResetRun, SchoolPurge, Status, Step
from yearend.tenancy import models_deleted_by_reset

# Roots (students or classes) per purge batch. Unset (the default), the size is steered
# so each batch, one transaction, takes about BATCH_SECONDS (see BatchSizer).
_FIXED_BATCH = os.environ.get("RESET_PURGE_BATCH_SIZE", "")
BATCH_SIZE = int(_FIXED_BATCH) if _FIXED_BATCH else None
BATCH_SECONDS = float(os.environ.get("RESET_PURGE_BATCH_SECONDS", "0.4"))
FIRST_BATCH, MIN_BATCH, MAX_BATCH = 50, 10, 20_000
HEARTBEAT_SECONDS = 5.0
# A run with at most this many old-year rows to delete is purged by the worker that
# reaches its purge step, part after part, instead of as one task per part: a 200-student
# district (~40,000 rows) is purged in a fraction of a second, less than the queue round
# trips, job starts and slot claims of its school tasks would cost. Larger districts are
# spread over the workers. 0: every run's parts are tasks.
INLINE_PURGE_ROWS = int(os.environ.get("RESET_INLINE_PURGE_ROWS", "100000"))


# --------------------------------------------------------------------------- plan


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


# --------------------------------------------------------------------------- parts


def schools_purge_concurrently() -> bool:
    """Whether a run's purge is split into one part per school, purged at once on the workers.

    Only where writers can work side by side: a database that locks rows (PostgreSQL)
    rather than the whole database for each writer. SQLite has one write lock for the
    file, so school parts could only take turns; and because a school's students share
    pages with other schools' students, each school's pass would rewrite the same pages
    again (measured: under half the rate of one DELETE per table). There the purge is one
    organization-wide pass over the roots in id order, which writes each page about once.
    """
    return connection.features.has_select_for_update


def parts_create(run: ResetRun) -> None:
    """The parts of the run's purge: its schools, or the whole organization in one pass
    where schools cannot be purged concurrently. Created once; a resumed run keeps them."""
    if SchoolPurge.tenant.of(run.organization_id).filter(run=run).exists():
        return
    schools = (
        list(School.tenant.of(run.organization_id)) if schools_purge_concurrently() else [None]
    )
    SchoolPurge.unscoped.bulk_create(
        [
            SchoolPurge(organization_id=run.organization_id, run=run, school=school)
            for school in schools
        ],
        ignore_conflicts=True,
    )


def parts_pending(run: ResetRun) -> QuerySet[SchoolPurge]:
    """The parts of the run's purge not done yet, in the order they were created."""
    return (
        SchoolPurge.tenant.of(run.organization_id).filter(run_id=run.pk, done=False).order_by("pk")
    )


def small_enough_to_purge_here(counts: dict[str, int]) -> bool:
    """Whether a run with these rows to delete is purged by the worker that reaches its
    purge step rather than spread over the workers (see ``INLINE_PURGE_ROWS``)."""
    return sum(counts.values()) <= INLINE_PURGE_ROWS


def purge_part(run_id: int, school_id: int | None) -> bool:
    """Delete one part's old-year rows (a school's; ``None``: the whole organization's, in
    one pass) in keyset batches, children before parents. False when there was nothing to
    do: the run is not purging, or the part is done already."""
    run = ResetRun.unscoped.select_related("organization").get(pk=run_id)
    if run.status != Status.RUNNING or run.step != Step.PURGE or run.cutover_epoch is None:
        return False
    progress = SchoolPurge.tenant.of(run.organization).get(run=run, school_id=school_id)
    if progress.done:
        return False
    beat = _HeartbeatPacer(run.pk)
    for plan in purge_plan():
        sizer = BatchSizer()
        after = 0
        while True:
            started = time.perf_counter()
            after = _purge_batch(run, progress.pk, school_id, plan, after, sizer.size)
            if after is None:
                break
            sizer.observe(time.perf_counter() - started)
            beat()
    SchoolPurge.tenant.of(run.organization).filter(pk=progress.pk).update(done=True)
    return True


# --------------------------------------------------------------------------- batches


class BatchSizer:
    """Roots (students or classes) per batch, steered so each batch takes about
    ``BATCH_SECONDS``: short enough that no transaction holds locks or the SQLite write
    lock for long, long enough that per-batch costs (round trips, the progress write,
    the commit) stay a small share. A fixed ``RESET_PURGE_BATCH_SIZE`` turns steering off
    (the crash trials use tiny fixed batches so kills land between and inside them).
    """

    def __init__(self) -> None:
        self.fixed = BATCH_SIZE is not None
        self.size = BATCH_SIZE or FIRST_BATCH

    def observe(self, seconds: float) -> None:
        if self.fixed:
            return
        wanted = self.size * BATCH_SECONDS / max(seconds, 1e-3)
        # At most double or halve per batch: one slow batch (a checkpoint, a busy
        # neighbour) must not swing the size, and growth stays below the time target.
        wanted = min(max(wanted, self.size / 2), self.size * 2)
        self.size = int(min(max(wanted, MIN_BATCH), MAX_BATCH))


class _HeartbeatPacer:
    """Touch the run's heartbeat every few seconds, not after every batch: each touch is
    a commit of its own, and concurrent school tasks would queue on the run row."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.every = min(HEARTBEAT_SECONDS, settings.RESET_STALE_AFTER_SECONDS / 4)
        self.last = time.monotonic()

    def __call__(self) -> None:
        now = time.monotonic()
        if now - self.last >= self.every:
            run_heard_from(self.run_id)
            self.last = now


def _purge_batch(
    run: ResetRun, progress_id: int, school_id: int | None, plan, after: int, size: int
) -> int | None:
    """Delete the part's next ``size`` roots (by id, after ``after``) and their children in
    one transaction with the progress row that counts them; returns the last root id.
    The part is one school, or the whole organization when ``school_id`` is None."""
    org_id = run.organization_id
    qn = connection.ops.quote_name
    root_table = qn(plan.root._meta.db_table)
    part, part_params = ("", []) if school_id is None else ("AND school_id = %s ", [school_id])
    roots_from = root_table
    if school_id is None and connection.vendor == "sqlite":
        # The organization's roots in id order are a range of the rowid. Left to itself,
        # SQLite reads all of the organization's roots through its (organization, epoch, …)
        # index (and sorts them) for each batch and each statement that names the roots.
        roots_from = f"{root_table} NOT INDEXED"
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Safe to lose: the progress commits with the deletes it counts, so a commit
            # lost in a crash is a batch simply done again. Saves a WAL flush per batch.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        # Lock our progress row: two workers on one school take turns, counts stay exact.
        progress = SchoolPurge.unscoped.select_for_update().get(pk=progress_id)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {roots_from} WHERE organization_id = %s {part}"
                "AND epoch < %s AND id > %s ORDER BY id LIMIT %s",
                [org_id, *part_params, run.cutover_epoch, after, size],
            )
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return None
            roots, roots_params = _batch_roots(
                roots_from, org_id, (part, part_params), run, after, ids
            )
            deleted = dict(progress.deleted)
            for child, column in plan.children:
                n = execute_guarded(
                    cursor,
                    f"DELETE FROM {qn(child._meta.db_table)} "
                    f"WHERE organization_id = %s AND {qn(column)} {roots}",
                    [org_id, *roots_params],
                    organization_id=org_id,
                )
                deleted[category(child)] = deleted.get(category(child), 0) + n
            n = execute_guarded(
                cursor,
                f"DELETE FROM {roots_from} WHERE organization_id = %s AND epoch < %s "
                f"AND id {roots}",
                [org_id, run.cutover_epoch, *roots_params],
                organization_id=org_id,
            )
            deleted[category(plan.root)] = deleted.get(category(plan.root), 0) + n
        progress.deleted = deleted
        progress.batches += 1
        progress.save(update_fields=["deleted", "batches", "updated_at"])
    return ids[-1]


def _batch_roots(roots_from, org_id, part_filter, run, after, ids) -> tuple[str, list]:
    """The batch's roots as a predicate on a referencing column, cheapest form per database.

    PostgreSQL: the ids as one array parameter, which becomes a single index scan per table
    (a sub-select here is planned as one index probe per root, about a third more work).
    SQLite: the keyset range as a sub-select (on the (organization, school, id) index for a
    school, on the rowid for the whole organization), with no parameter per id (large
    batches would pass SQLite's variable limit).
    """
    if connection.vendor == "postgresql":
        return "= ANY(%s)", [ids]
    part, part_params = part_filter
    return (
        f"IN (SELECT id FROM {roots_from} WHERE organization_id = %s {part}"
        "AND epoch < %s AND id > %s AND id <= %s)",
        [org_id, *part_params, run.cutover_epoch, after, ids[-1]],
    )
