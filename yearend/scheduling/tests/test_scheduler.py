from datetime import UTC, datetime, timedelta

import pytest

from yearend.scheduling import periodic
from yearend.scheduling.models import PeriodicSlot
from yearend.scheduling.scheduler import scheduler_tick, slot_start

pytestmark = [pytest.mark.core, pytest.mark.django_db(transaction=True)]

CALLS: list[str] = []


@pytest.fixture
def counting_job(monkeypatch):
    CALLS.clear()
    jobs = {
        "test.count": periodic.PeriodicJob(
            name="test.count",
            every=timedelta(minutes=1),
            function=lambda: CALLS.append("ran"),
            queue="default",
        )
    }
    monkeypatch.setattr(periodic, "registered_jobs", lambda: jobs)
    return jobs


def test_a_slot_is_the_aligned_start_of_its_interval():
    now = datetime(2024, 8, 2, 5, 7, 42, tzinfo=UTC)
    assert slot_start(now, timedelta(minutes=1)) == datetime(2024, 8, 2, 5, 7, tzinfo=UTC)
    assert slot_start(now, timedelta(hours=1)) == datetime(2024, 8, 2, 5, 0, tzinfo=UTC)


def test_it_runs_a_due_job_once_per_slot_however_many_schedulers_tick(counting_job):
    now = datetime(2024, 8, 2, 5, 7, 1, tzinfo=UTC)
    assert scheduler_tick(now) == ["test.count"]
    # A second scheduler, or the same one a few seconds later: nothing more.
    assert scheduler_tick(now + timedelta(seconds=20)) == []
    assert CALLS == ["ran"]
    assert PeriodicSlot.objects.count() == 1


def test_it_runs_again_in_the_next_slot(counting_job):
    now = datetime(2024, 8, 2, 5, 7, 1, tzinfo=UTC)
    scheduler_tick(now)
    scheduler_tick(now + timedelta(minutes=1))
    assert CALLS == ["ran", "ran"]
