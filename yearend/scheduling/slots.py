"""A fixed number of places for concurrent work, claimed in the database.

A limit of N is N ``WorkSlot`` rows in a scope. Work starts only after its claimer changed
a slot's holder with a conditional UPDATE naming the holder it saw (compare-and-set): of
two workers racing for the last slot one update matches and the other changes nothing,
on SQLite and PostgreSQL alike.

Which slots are free is the caller's rule (``free``): slots are released lazily, when
their holder's work is found finished or silent, so nothing has to remember to release
and a crashed worker never leaks one. The reset engine's limits are built on this
(yearend/resets/dispatch.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

from yearend.scheduling.models import WorkSlot

# Gets the scope's slots and the time; returns the pks of the slots that are free.
FreeRule = Callable[[list[WorkSlot], datetime], set[int]]


def slots_of(scope: str, limit: int) -> list[WorkSlot]:
    """The ``limit`` slots of ``scope``, created on first use."""
    rows = list(WorkSlot.objects.filter(scope=scope, number__lt=limit).order_by("number"))
    if len(rows) < limit:
        WorkSlot.objects.bulk_create(
            [WorkSlot(scope=scope, number=n) for n in range(limit)], ignore_conflicts=True
        )
        rows = list(WorkSlot.objects.filter(scope=scope, number__lt=limit).order_by("number"))
    return rows


def slot_claim(
    scope: str, limit: int, holder: str, free: FreeRule, now: datetime | None = None
) -> bool:
    """Take a free slot of ``scope`` for ``holder``; False when all ``limit`` are busy.

    A limit of 0 or less means no limit.
    """
    if limit <= 0:
        return True
    now = now or timezone.now()
    slots = slots_of(scope, limit)
    free_pks = free(slots, now)
    return slot_take([s for s in slots if s.pk in free_pks], holder, now)


def slot_take(free_slots: list[WorkSlot], holder: str, now: datetime) -> bool:
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


def busy_holders(scope: str, limit: int, free: FreeRule) -> set[str]:
    """Holders of the slots of ``scope`` that are not free (work in progress)."""
    if limit <= 0:
        return set()
    slots = slots_of(scope, limit)
    free_pks = free(slots, timezone.now())
    return {slot.holder for slot in slots if slot.pk not in free_pks}
