"""Work that runs on a schedule: the registry, and the scheduler's one tick.

Each app declares its periodic jobs in a module named ``jobs.py``::

    from datetime import timedelta
    from yearend.periodic import periodic

    @periodic("resets.tick", every=timedelta(minutes=1))
    def reset_tick() -> None:
        ...

``python manage.py run_scheduler`` (started by ``make run``) wakes every few seconds and
enqueues each job that is due as a django-tasks task; a worker runs it. Due-ness is
claimed in the database (one ``PeriodicSlot`` row per job and time slot, unique), so
several schedulers on several machines enqueue each slot exactly once. A job must be
idempotent and take no arguments: it reads what is due from the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    function: Callable[[], object]
    queue: str


_REGISTRY: dict[str, PeriodicJob] = {}


def periodic(name: str, *, every: timedelta, queue: str = "default"):
    def register(function: Callable[[], object]) -> Callable[[], object]:
        _REGISTRY[name] = PeriodicJob(name=name, every=every, function=function, queue=queue)
        return function

    return register


def registered_jobs() -> dict[str, PeriodicJob]:
    autodiscover_modules("jobs")
    return dict(_REGISTRY)


def slot_start(now: datetime, every: timedelta) -> datetime:
    """The start of the time slot ``now`` falls in (slots are aligned to the epoch)."""
    seconds = int(every.total_seconds())
    stamp = int(now.timestamp())
    return datetime.fromtimestamp(stamp - stamp % seconds, tz=now.tzinfo)


def scheduler_tick(now: datetime | None = None) -> list[str]:
    """Enqueue every job whose current slot nobody has claimed yet; returns their names."""
    from yearend.scheduling.models import PeriodicSlot
    from yearend.scheduling.tasks import run_periodic_job

    now = now or timezone.now()
    enqueued = []
    for job in registered_jobs().values():
        slot = slot_start(now, job.every)
        try:
            with transaction.atomic():
                PeriodicSlot.objects.create(job=job.name, slot=slot)
                transaction.on_commit(
                    lambda job=job: run_periodic_job.using(queue_name=job.queue).enqueue(job.name)
                )
        except IntegrityError:
            continue  # another scheduler (or an earlier tick) already enqueued this slot
        enqueued.append(job.name)
    return enqueued


def run_job(name: str) -> None:
    job = registered_jobs().get(name)
    if job is None:
        logger.warning("periodic job %s is no longer registered; skipped", name)
        return
    job.function()
