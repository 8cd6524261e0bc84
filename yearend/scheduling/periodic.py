"""The registry of work that runs on a schedule.

Each app declares its periodic jobs in a module named ``jobs.py``::

    from datetime import timedelta
    from yearend.scheduling.periodic import periodic

    @periodic("resets.tick", every=timedelta(minutes=1))
    def reset_tick() -> None:
        ...

The scheduler (``scheduler.py``) enqueues each job when it is due. A job must be
idempotent and take no arguments: it reads what is due from the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.utils.module_loading import autodiscover_modules


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
