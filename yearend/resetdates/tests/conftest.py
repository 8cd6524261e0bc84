"""Fixtures of the reset calendar, built through its own services."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from yearend.audit.models import AuditEvent
from yearend.people.models import Role
from yearend.resetdates.models import OrganizationResetDate, ResetCycle, ResetDateChange
from yearend.resetdates.services import reset_cycle_create

# A fixed instant well before the 2025 window: "today" is March 3, 2025 everywhere.
BEFORE_2025 = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def cycle_2025(db) -> ResetCycle:
    return reset_cycle_create(
        year=2025, defaults=[date(2025, 7, 18), date(2025, 8, 1), date(2025, 8, 15)]
    )


@pytest.fixture
def other_da(make_user, other_org):
    return make_user(Role.DISTRICT_ADMIN, other_org, username="other-da")


def snapshot() -> tuple:
    """Everything a date change could touch, to prove a refusal changed nothing."""
    return (
        list(
            OrganizationResetDate.unscoped.order_by("pk").values_list(
                "pk", "organization_id", "cycle_id", "reset_date", "source", "locked_at"
            )
        ),
        ResetDateChange.unscoped.count(),
        AuditEvent.objects.count(),
        ResetCycle.objects.count(),
    )
