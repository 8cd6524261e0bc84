"""Which process is moving a reset run, and since when.

Every process that works on a run (a worker's task, a command driving it inline, a school
purge) says so each time it touches the run's heartbeat. An operator's ``reset_run resume``
asks this first: a run whose driver was heard from within the silence rule is not stalled,
and a second process driving it would only race the first.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Case, F, When
from django.utils import timezone

from yearend.resets.models import ResetRun, Status


def stale_after() -> timedelta:
    """Silence after which a run or a school purge is taken to have lost its worker."""
    return timedelta(seconds=settings.RESET_STALE_AFTER_SECONDS)


def this_process() -> str:
    """host:pid, as an operator finds the process with ``ps`` on that machine."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_heard_from(run_id: int) -> None:
    """This process is working on the run now: touch its heartbeat, name it the driver
    (keeping ``driver_since`` while the driver stays the same)."""
    me = this_process()
    now = timezone.now()
    ResetRun.unscoped.filter(pk=run_id).update(
        heartbeat_at=now,
        driver=me,
        driver_since=Case(When(driver=me, then=F("driver_since")), default=now),
    )


@dataclass(frozen=True)
class LiveDriver:
    process: str
    since: datetime | None
    heard_at: datetime


def live_driver(run: ResetRun, *, now: datetime | None = None) -> LiveDriver | None:
    """The process still moving ``run`` (heard from within the silence rule), or None when
    the run is not running or has gone silent (its worker was lost)."""
    now = now or timezone.now()
    if run.status != Status.RUNNING or run.heartbeat_at is None:
        return None
    if run.heartbeat_at < now - stale_after():
        return None
    return LiveDriver(
        process=run.driver or "an unnamed process",
        since=run.driver_since or run.step_started_at,
        heard_at=run.heartbeat_at,
    )
