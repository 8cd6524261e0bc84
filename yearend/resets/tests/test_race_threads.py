"""Several workers start and drive the same organization's reset at once."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from yearend.demo.seeding import seed_demo
from yearend.resets.engine import reset_advance, reset_start
from yearend.resets.models import ResetRun, Status
from yearend.resets.tests.helpers import organization_content
from yearend.tenancy import models_deleted_by_reset

pytestmark = [pytest.mark.core, pytest.mark.django_db(transaction=True)]


def test_racing_workers_make_one_run_and_delete_exactly_once():
    if connection.vendor == "sqlite":
        pytest.skip("in-memory SQLite is one connection; the file-backed race is in the slow tests")
    home, away = seed_demo(
        organizations=2, students_per_org=30, seed=2, as_of=date(2024, 6, 20)
    ).organizations
    away_before = organization_content(away.pk)
    barrier = threading.Barrier(6)
    outcomes, errors = [], []

    def worker():
        try:
            barrier.wait()
            run, created = reset_start(organization=home)
            reset_advance(run.pk)
            outcomes.append(created)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(outcomes) == [False] * 5 + [True]
    run = ResetRun.tenant.of(home).get()
    assert run.status == Status.SUCCEEDED, run.error
    assert run.counts["students"] == 30
    assert run.certificate["deleted"] == run.counts
    home.refresh_from_db()
    assert home.student_epoch == 2  # one cut-over, however many workers
    assert organization_content(away.pk) == away_before
    assert all(not m.tenant.of(home).exists() for m in models_deleted_by_reset())
    purged = {}
    for progress in run.school_purges.all():
        for name, n in progress.deleted.items():
            purged[name] = purged.get(name, 0) + n
    assert {k: v for k, v in purged.items()} == {
        k: v for k, v in run.counts.items() if k not in ("credentials", "sis_links") and v
    }
