"""How many resets and school purges run at once, decided by the database.

Two limits (settings) keep a shared PostgreSQL healthy when thousands of districts are due
on one Friday and any number of workers on any number of machines pull from the queues:

- ``RESET_MAX_CONCURRENT_RUNS``: resets the tick has started that are still running;
- ``RESET_MAX_CONCURRENT_PURGES_PER_ORG``: schools of one organization purged at once
  (their tasks spread over every worker; the limit keeps one district from taking all).

A limit of N is N ``WorkSlot`` rows in a scope (``runs``, ``purge:<organization id>``).
Work starts only after its claimer changed a slot's holder with a conditional UPDATE
naming the holder it saw (compare-and-set): of two workers racing for the last slot one
update matches and the other changes nothing, on SQLite and PostgreSQL alike.

Slots are released lazily. A slot is free when its holder has finished (its run is no
longer running; its school is purged) or gone silent for ``RESET_STALE_AFTER_SECONDS``
(a killed worker). So nothing has to remember to release, and a crash never leaks one.
Whoever finishes work starts the next (``after_task``); the minute tick is the fallback.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from yearend.organizations.models import Organization
from yearend.resets.models import ResetRun, SchoolPurge, Status, Step
from yearend.scheduling.models import WorkSlot

logger = logging.getLogger(__name__)

RUNS_SCOPE = "runs"
# A run with at most this many old-year rows to delete is purged by the worker that
# dispatches it, part after part, instead of as one task per part: a 200-student district
# (~40,000 rows) is purged in a fraction of a second, less than the queue round trips,
# job starts and slot claims of its school tasks would cost. Larger districts are spread
# over the workers. 0: every run's parts are tasks.
INLINE_PURGE_ROWS = int(os.environ.get("RESET_INLINE_PURGE_ROWS", "100000"))


def stale_after() -> timedelta:
    """Silence after which a run or a school purge is taken to have lost its worker."""
    return timedelta(seconds=settings.RESET_STALE_AFTER_SECONDS)


def purge_scope(organization_id: int) -> str:
    return f"purge:{organization_id}"


# --------------------------------------------------------------------------- slots


def _slots(scope: str, limit: int) -> list[WorkSlot]:
    rows = list(WorkSlot.objects.filter(scope=scope, number__lt=limit).order_by("number"))
    if len(rows) < limit:
        WorkSlot.objects.bulk_create(
            [WorkSlot(scope=scope, number=n) for n in range(limit)], ignore_conflicts=True
        )
        rows = list(WorkSlot.objects.filter(scope=scope, number__lt=limit).order_by("number"))
    return rows


def slot_claim(
    scope: str,
    limit: int,
    holder: str,
    free: Callable[[list[WorkSlot], datetime], set[int]],
    now: datetime | None = None,
) -> bool:
    """Take a free slot of ``scope`` for ``holder``; False when all ``limit`` are busy.

    ``free`` gets the slots and returns the pks of those whose holder is done or silent.
    A limit of 0 or less means no limit.
    """
    if limit <= 0:
        return True
    now = now or timezone.now()
    slots = _slots(scope, limit)
    free_pks = free(slots, now)
    return _take([s for s in slots if s.pk in free_pks], holder, now)


def _take(free_slots: list[WorkSlot], holder: str, now: datetime) -> bool:
    """Take the first of ``free_slots`` nobody changed since it was read; each slot tried
    is removed from the list (taken by us or by someone else)."""
    while free_slots:
        slot = free_slots.pop(0)
        taken = WorkSlot.objects.filter(
            pk=slot.pk, holder=slot.holder, claimed_at=slot.claimed_at
        ).update(holder=holder, claimed_at=now)
        if taken:
            return True
    return False


def busy_holders(scope: str, limit: int, free) -> set[str]:
    """Holders of the slots of ``scope`` that are not free (work in progress)."""
    if limit <= 0:
        return set()
    now = timezone.now()
    slots = _slots(scope, limit)
    free_pks = free(slots, now)
    return {slot.holder for slot in slots if slot.pk not in free_pks}


# --------------------------------------------------------------------------- purges


def schools_purge_concurrently() -> bool:
    """Whether a run's purge is split into one task per school, run at once on the workers.

    Only where writers can work side by side: a database that locks rows (PostgreSQL)
    rather than the whole database for each writer. SQLite has one write lock for the
    file, so school tasks could only take turns; and because a school's students share
    pages with other schools' students, each school's pass would rewrite the same pages
    again (measured: under half the rate of one DELETE per table). There the purge is one
    organization-wide pass over the roots in id order, which writes each page about once.
    """
    return connection.features.has_select_for_update


def _free_purge_slots(slots: list[WorkSlot], now: datetime) -> set[int]:
    """Free: empty, or its school is purged, its run stopped, or silent too long."""
    ids = {int(s.holder) for s in slots if s.holder}
    progress = {
        p.pk: p
        for p in SchoolPurge.unscoped.filter(pk__in=ids)
        .select_related("run")
        .only("pk", "done", "updated_at", "run__status", "run__step")
    }
    silent_since = now - stale_after()
    free, seen = set(), set()
    for slot in slots:
        p = progress.get(int(slot.holder)) if slot.holder else None
        if (
            p is None
            or p.done
            or p.run.status != Status.RUNNING
            or p.run.step != Step.PURGE
            or max(p.updated_at, slot.claimed_at or p.updated_at) < silent_since
            or slot.holder in seen  # a race gave one school two slots: one is spare
        ):
            free.add(slot.pk)
        else:
            seen.add(slot.holder)
    return free


def purges_dispatch(run: ResetRun) -> int:
    """Enqueue the purge of as many pending parts of ``run`` (its schools, or its one
    organization-wide pass) as free slots allow.

    Parts already being purged are skipped; a part whose worker went silent is
    dispatched again. Returns how many tasks were enqueued. A small run (see
    ``INLINE_PURGE_ROWS``) is purged here instead, and none is.
    """
    from yearend.resets.tasks import purge_school_task

    if _purged_here(run):
        return 0
    limit = settings.RESET_MAX_CONCURRENT_PURGES_PER_ORG
    scope = purge_scope(run.organization_id)
    busy = busy_holders(scope, limit, _free_purge_slots)
    pending = (
        SchoolPurge.tenant.of(run.organization_id)
        .filter(run_id=run.pk, done=False)
        .order_by("pk")
        .values_list("pk", "school_id")
    )
    enqueued = 0
    for progress_id, school_id in pending:
        if str(progress_id) in busy:
            continue
        if not slot_claim(scope, limit, str(progress_id), _free_purge_slots):
            break  # the organization's limit is reached: a finishing school dispatches on
        purge_school_task.enqueue(run.pk, school_id)
        enqueued += 1
    return enqueued


def _purged_here(run: ResetRun) -> bool:
    """Purge every pending part of a small run in this worker; False for a larger run.

    As resumable as the tasks: each part's progress commits with its batches, and a worker
    lost here leaves the run's heartbeat silent, so the tick re-drives it to this point.
    """
    from yearend.resets.services import purge_school

    counts = ResetRun.unscoped.filter(pk=run.pk).values_list("counts", flat=True).first()
    if counts is None or sum(counts.values()) > INLINE_PURGE_ROWS:
        return False
    pending = (
        SchoolPurge.tenant.of(run.organization_id)
        .filter(run_id=run.pk, done=False)
        .order_by("pk")
        .values_list("school_id", flat=True)
    )
    for school_id in list(pending):
        purge_school(run.pk, school_id, advance=False)
    return True


# --------------------------------------------------------------------------- runs


def _free_run_slots(slots: list[WorkSlot], now: datetime) -> set[int]:
    """Free: empty, its run stopped, or claimed long ago by a starter that never started."""
    keys = [tuple(int(x) for x in s.holder.split(":")) for s in slots if s.holder]
    running: set = set()
    existing: set = set()
    if keys:
        org_ids = {org for org, _ in keys}
        running = set(
            ResetRun.unscoped.filter(
                organization_id__in=org_ids, status=Status.RUNNING
            ).values_list("organization_id", "cycle_id")
        )
        existing = set(
            ResetRun.unscoped.filter(organization_id__in=org_ids).values_list(
                "organization_id", "cycle_id"
            )
        )
    free, seen = set(), set()
    for slot in slots:
        if not slot.holder or slot.holder in seen:  # a race gave one run two slots
            free.add(slot.pk)
            continue
        key = tuple(int(x) for x in slot.holder.split(":"))
        if key in running:
            seen.add(slot.holder)
            continue
        if key in existing or (slot.claimed_at or now) < now - stale_after():
            free.add(slot.pk)
        else:
            seen.add(slot.holder)
    return free


def runs_start_due(now: datetime | None = None) -> list[Organization]:
    """Hand due resets to the workers while run slots are free; returns their organizations.

    The tick itself only reads the due dates (one query), reads the slots once and takes
    one per reset: the start of each reset (its preview counts, the claim of the run) is a
    task, so one tick stays fast over tens of thousands of organizations.
    """
    from yearend.resets import calendar_link
    from yearend.resets.tasks import reset_start_task

    now = now or timezone.now()
    limit = settings.RESET_MAX_CONCURRENT_RUNS
    busy: set[str] = set()
    free_slots: list[WorkSlot] | None = None
    if limit > 0:
        slots = _slots(RUNS_SCOPE, limit)
        free_pks = _free_run_slots(slots, now)
        busy = {s.holder for s in slots if s.pk not in free_pks}
        free_slots = [s for s in slots if s.pk in free_pks]
    handed: list[int] = []
    for organization_id, cycle_id, _date in calendar_link.due_keys(now):
        holder = f"{organization_id}:{cycle_id}"
        if holder in busy:
            continue  # its start is queued already
        if free_slots is not None and not _take(free_slots, holder, now):
            logger.info("reset run limit %s reached; the rest start as runs finish", limit)
            break
        reset_start_task.enqueue(organization_id, cycle_id)
        handed.append(organization_id)
    organizations = Organization.objects.in_bulk(handed)
    return [organizations[pk] for pk in handed]


def run_slot_renew(organization_id: int, cycle_id: int) -> bool:
    """Renew the run slot the tick took for this reset, as its start begins; False when the
    slot has gone to another reset meanwhile.

    A slot whose reset has no run yet is free once its claim is older than the silence
    rule (the starter was lost). A start that waited longer than that in a busy queue must
    not run beside the reset that took its slot over, or one more reset runs than the
    limit allows: it stops, and the tick hands it over again when a slot is free. Renewed,
    the claim is fresh until the run exists, which then keeps the slot busy.
    """
    if settings.RESET_MAX_CONCURRENT_RUNS <= 0:
        return True
    return bool(
        WorkSlot.objects.filter(scope=RUNS_SCOPE, holder=f"{organization_id}:{cycle_id}").update(
            claimed_at=timezone.now()
        )
    )


def runs_running() -> int:
    return ResetRun.unscoped.filter(status=Status.RUNNING).count()


# --------------------------------------------------------------------------- hand-over


def after_task(run_id: int) -> None:
    """Called when a reset task ends: hand its place to the next school or organization."""
    run = ResetRun.unscoped.filter(pk=run_id).only("pk", "organization_id", "status", "step")
    run = run.first()
    if run is None:
        return
    if run.status == Status.RUNNING and run.step == Step.PURGE:
        purges_dispatch(run)
    elif run.status != Status.RUNNING:
        runs_start_due()
