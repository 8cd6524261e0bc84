"""Make sure the demo shows reset dates: an open cycle, with defaults assigned."""

from __future__ import annotations

import math
from datetime import date, timedelta

from django.utils import timezone

from yearend.audit.models import Via
from yearend.organizations.models import Organization
from yearend.resetdates.models import ResetCycle
from yearend.resetdates.services import reset_cycle_create, reset_dates_assign


def nth_friday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    first_friday = first + timedelta(days=(4 - first.weekday()) % 7)
    return first_friday + timedelta(weeks=n - 1)


def prepare(today: date | None = None) -> None:
    today = today or timezone.now().date()
    cycle = ResetCycle.objects.filter(window_end__gte=today).order_by("year").first()
    if cycle is None:
        year = today.year if today <= date(today.year, 10, 1) else today.year + 1
        cycle = reset_cycle_create(
            year=year,
            defaults=[nth_friday(year, 7, 3), nth_friday(year, 8, 1), nth_friday(year, 8, 3)],
            via=Via.SYSTEM,
        )
    # Spread the demo organizations over the defaults so the calendar shows some variety.
    organizations = Organization.objects.count()
    defaults = max(cycle.defaults.count(), 1)
    capacity = max(1, math.ceil(organizations / defaults))
    reset_dates_assign(cycle=cycle, capacity=capacity, via=Via.SYSTEM)
