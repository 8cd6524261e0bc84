"""Hands the reset's work to the workers: the only module that enqueues it, and the one
that decides how much of it runs at once.

The engine (engine.py, with purge.py) is the persisted state machine and never enqueues:
it says what is due and where a run waits. This module sits above it. It holds the
django-tasks tasks (the tick's start of a due reset, the advance of a run, the purge of
one school) and every enqueue, and calls the engine from them. Doors and commands that
start or resume a reset in the background come through here too.

Two limits (settings) keep a shared PostgreSQL healthy when thousands of districts are due
on one Friday and any number of workers on any number of machines pull from the queues:

- ``RESET_MAX_CONCURRENT_RUNS``: resets the tick has started that are still running;
- ``RESET_MAX_CONCURRENT_PURGES_PER_ORG``: schools of one organization purged at once
  (their tasks spread over every worker; the limit keeps one district from taking all).

Each is a scope of work slots (yearend/scheduling/slots.py: ``runs``,
``purge:<organization id>``). A slot is free when its holder has finished (its run is no
longer running; its school is purged) or gone silent for ``RESET_STALE_AFTER_SECONDS``
(a killed worker). Whoever finishes a task starts the next (``after_task``); the minute
tick is the fallback.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from yearend.organizations.models import Organization
from yearend.resetdates.models import ResetCycle
from yearend.resets import engine, purge
from yearend.resets.drivers import stale_after
from yearend.resets.models import ResetRun, SchoolPurge, Status, Step
from yearend.scheduling.models import WorkSlot
from yearend.scheduling.slots import busy_holders, slot_claim, slot_take, slots_of

logger = logging.getLogger(__name__)

RUNS_SCOPE = "runs"


def purge_scope(organization_id: int) -> str:
    return f"purge:{organization_id}"


# --------------------------------------------------------------------------- doors


def reset_tick(now: datetime | None = None) -> list[Organization]:
    """Hand every reset whose date has begun locally to the workers (up to the run limit,
    each as a start task); re-drive runs that lost a worker. Returns the organizations
    whose reset it handed over."""
    now = now or timezone.now()
    started = runs_start_due(now)
    for run_id in engine.runs_silent(now):
        _enqueue_advance(run_id)
    return started


def reset_start_in_background(**claim: Any) -> tuple[ResetRun, bool]:
    """Claim a reset (``engine.reset_start``, same arguments) and hand a new run to the
    workers once the claim commits."""
    run, created = engine.reset_start(**claim)
    if created:
        _enqueue_advance(run.pk)
    return run, created


def reset_resume_in_background(*, run: ResetRun, acting_user=None, via: str) -> ResetRun:
    """Resume a failed or stalled run and hand the rest to the workers: a web or API
    request must not hold a district's purge."""
    engine.reset_resume(run=run, acting_user=acting_user, via=via)
    _enqueue_advance(run.pk)
    return ResetRun.unscoped.get(pk=run.pk)


def _enqueue_advance(run_id: int) -> None:
    transaction.on_commit(lambda: reset_advance_task.enqueue(run_id))


# --------------------------------------------------------------------------- tasks
# Tasks take ids, load what they need and call the engine; all are idempotent.


@task(queue_name="resets")
def reset_start_task(organization_id: int, cycle_id: int) -> None:
    """Start a due reset the tick handed over (idempotent: one run per cycle) and drive it
    on in this job. A job of its own for the first steps would add a queue round trip and
    a job's overhead per district; a worker lost here leaves a running run whose heartbeat
    goes silent, which the tick re-drives like any other."""
    if not run_slot_renew(organization_id, cycle_id):
        return  # its slot went to another reset while it waited; the tick hands it again
    run, created = engine.reset_start(
        organization=Organization.objects.get(pk=organization_id),
        cycle=ResetCycle.objects.get(pk=cycle_id),
    )
    if created:
        engine.reset_advance(run.pk)
        # A small district ends here (its purge is done in place): its place goes to the
        # next due organization now, not at the next tick.
        after_task(run.pk)


@task(queue_name="resets")
def reset_advance_task(run_id: int) -> None:
    engine.reset_advance(run_id)
    after_task(run_id)


@task(queue_name="resets")
def purge_school_task(run_id: int, school_id: int) -> None:
    engine.reset_purge_part(run_id, school_id)
    # The school's slot is free now: the next school (or organization) takes it.
    after_task(run_id)


def after_task(run_id: int) -> None:
    """Called when a reset task ends: hand its place to the next school or organization,
    and spread the parts of a run that now waits at its purge step."""
    run = ResetRun.unscoped.filter(pk=run_id).only("pk", "organization_id", "status", "step")
    run = run.first()
    if run is None:
        return
    if run.status == Status.RUNNING and run.step == Step.PURGE:
        purges_dispatch(run)
    elif run.status != Status.RUNNING:
        runs_start_due()


# --------------------------------------------------------------------------- purges


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
    dispatched again. Returns how many tasks were enqueued.
    """
    limit = settings.RESET_MAX_CONCURRENT_PURGES_PER_ORG
    scope = purge_scope(run.organization_id)
    busy = busy_holders(scope, limit, _free_purge_slots)
    enqueued = 0
    for progress_id, school_id in purge.parts_pending(run).values_list("pk", "school_id"):
        if str(progress_id) in busy:
            continue
        if not slot_claim(scope, limit, str(progress_id), _free_purge_slots):
            break  # the organization's limit is reached: a finishing school dispatches on
        purge_school_task.enqueue(run.pk, school_id)
        enqueued += 1
    return enqueued


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
    now = now or timezone.now()
    limit = settings.RESET_MAX_CONCURRENT_RUNS
    busy: set[str] = set()
    free_slots: list[WorkSlot] | None = None
    if limit > 0:
        slots = slots_of(RUNS_SCOPE, limit)
        free_pks = _free_run_slots(slots, now)
        busy = {s.holder for s in slots if s.pk not in free_pks}
        free_slots = [s for s in slots if s.pk in free_pks]
    handed: list[int] = []
    for organization_id, cycle_id in engine.resets_due(now):
        holder = f"{organization_id}:{cycle_id}"
        if holder in busy:
            continue  # its start is queued already
        if free_slots is not None and not slot_take(free_slots, holder, now):
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
