"""The scheduler's one tick, and the task that runs a periodic job on a worker.

``python manage.py run_scheduler`` (started by ``make run``) wakes every few seconds and
enqueues each registered job (``periodic.py``) that is due as a django-tasks task; a
worker runs it. Due-ness is claimed in the database (one ``PeriodicSlot`` row per job and
time slot, unique), so several schedulers on several machines enqueue each slot exactly
once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from yearend.scheduling import periodic
from yearend.scheduling.models import PeriodicSlot

logger = logging.getLogger(__name__)


def slot_start(now: datetime, every: timedelta) -> datetime:
    """The start of the time slot ``now`` falls in (slots are aligned to the epoch)."""
    seconds = int(every.total_seconds())
    stamp = int(now.timestamp())
    return datetime.fromtimestamp(stamp - stamp % seconds, tz=now.tzinfo)


def scheduler_tick(now: datetime | None = None) -> list[str]:
    """Enqueue every job whose current slot nobody has claimed yet; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for job in periodic.registered_jobs().values():
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


@task()
def run_periodic_job(name: str) -> None:
    job = periodic.registered_jobs().get(name)
    if job is None:
        logger.warning("periodic job %s is no longer registered; skipped", name)
        return
    job.function()
