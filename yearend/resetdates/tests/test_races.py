"""Date changes racing each other and the engine's lock: the history tells the truth."""

import itertools
import threading
from datetime import date

import pytest
from django.db import connection, connections

from yearend.errors import ServiceError
from yearend.people.models import Role
from yearend.resetdates.models import ResetDateChange
from yearend.resetdates.selectors import reset_date_for
from yearend.resetdates.services import reset_date_lock, reset_date_set, reset_dates_assign
from yearend.resetdates.tests.conftest import BEFORE_2025

pytestmark = [pytest.mark.core, pytest.mark.django_db(transaction=True)]


def _race(*jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            outcomes[i] = job()
        except ServiceError as error:
            outcomes[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_changes_and_the_lock_serialise(make_organization, make_user, cycle_2025):
    if connection.vendor == "sqlite":
        pytest.skip("in-memory SQLite is one connection: no real concurrency to test")
    org = make_organization("RACE01")
    admins = [make_user(Role.DISTRICT_ADMIN, org) for _ in range(4)]
    reset_dates_assign(cycle=cycle_2025)
    days = [date(2025, 7, 21), date(2025, 7, 22), date(2025, 7, 23), date(2025, 7, 24)]

    def setter(admin, day):
        return lambda: reset_date_set(
            organization=org, cycle=cycle_2025, new_date=day, acting_user=admin, now=BEFORE_2025
        )

    outcomes = _race(
        *(setter(a, d) for a, d in zip(admins, days, strict=True)),
        lambda: reset_date_lock(organization=org, cycle=cycle_2025),
    )
    record = reset_date_for(org, cycle_2025)
    assert record.locked_at is not None
    history = list(ResetDateChange.tenant.of(org).filter(cycle=cycle_2025).order_by("at", "id"))
    applied = [o for o in outcomes[:4] if not isinstance(o, ServiceError)]
    # Each applied change is one history row, chained from the previous date; the
    # stored date is the last one, whatever the interleaving.
    assert len(history) == 1 + len(applied)
    for before, after in itertools.pairwise(history):
        assert after.from_date == before.to_date
    assert history[-1].to_date == record.reset_date
    assert all("locked" in o.message for o in outcomes[:4] if isinstance(o, ServiceError))
