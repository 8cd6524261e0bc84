"""Concurrency limits of the reset engine: runs overall, school purges per organization."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from yearend.demo.seeding import seed_demo
from yearend.organizations.models import School
from yearend.people.models import Student
from yearend.portal.vendor import selectors as vendor_selectors
from yearend.resetdates.models import OrganizationResetDate, ResetCycle, ResetDateSource
from yearend.resets import dispatch, engine, purge, selectors
from yearend.resets.models import ResetRun, SchoolPurge, Status, Step
from yearend.resets.tests.helpers import start_reset
from yearend.scheduling.models import WorkSlot

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture
def org_with_five_schools(db):
    org = seed_demo(organizations=1, students_per_org=20, seed=3, as_of=date(2024, 6, 20))
    org = org.organizations[0]
    for n in range(3):
        School.unscoped.create(organization=org, name=f"Extra {n}", sis_sourced_id=f"X{n}")
    return org


@pytest.fixture
def per_school(monkeypatch):
    """Schools purged as concurrent tasks, whatever the test database can do."""
    monkeypatch.setattr(purge, "schools_purge_concurrently", lambda: True)


@pytest.fixture
def organization_wide(monkeypatch):
    """The purge as one organization-wide pass, whatever the test database can do."""
    monkeypatch.setattr(purge, "schools_purge_concurrently", lambda: False)


def _run_at_purge(org) -> ResetRun:
    """A run stopped right before its purge step, as the engine leaves it."""
    run, _ = engine.reset_start(organization=org)
    for step in (Step.PAUSE, Step.SNAPSHOT, Step.CUTOVER):
        engine._STEPS[step](run)
        engine._transition(run, step, engine.STEP_ORDER[engine.STEP_ORDER.index(step) + 1])
        run.refresh_from_db()
    return run


def _capture_enqueues(monkeypatch, inline_rows: int = 0) -> list[tuple[int, int]]:
    """The purge tasks enqueued; every run's parts are tasks unless ``inline_rows`` says
    up to how many rows a run is purged by the worker that reaches its purge step."""
    monkeypatch.setattr(purge, "INLINE_PURGE_ROWS", inline_rows)
    sent: list[tuple[int, int]] = []

    class Recorder:  # tasks are frozen dataclasses: replace the whole task
        @staticmethod
        def enqueue(*args):
            sent.append(args)

    monkeypatch.setattr(dispatch, "purge_school_task", Recorder)
    return sent


def _purge_step(run: ResetRun):
    """The purge step as a worker's task meets it: the engine's step, then the dispatch of
    the parts the run waits for (after the task, ``dispatch.after_task``)."""
    outcome = engine._step_purge(run)
    dispatch.purges_dispatch(run)
    return outcome


def test_purges_of_one_organization_never_exceed_its_limit(
    org_with_five_schools, per_school, monkeypatch, settings
):
    settings.RESET_MAX_CONCURRENT_PURGES_PER_ORG = 2
    sent = _capture_enqueues(monkeypatch)
    run = _run_at_purge(org_with_five_schools)

    assert _purge_step(run) is engine.WAIT
    assert len(sent) == 2
    dispatch.purges_dispatch(run)  # a repeated dispatch starts nothing new
    assert len(sent) == 2

    # One school finishes: exactly one more starts.
    finished = SchoolPurge.tenant.of(run.organization).get(run=run, school_id=sent[0][1])
    purge.purge_part(run.pk, finished.school_id)
    dispatch.after_task(run.pk)
    assert len(sent) == 3
    assert len({school for _, school in sent}) == 3


def test_a_small_run_is_purged_by_the_worker_that_dispatches_it(
    org_with_five_schools, per_school, monkeypatch
):
    run = _run_at_purge(org_with_five_schools)
    rows = sum(selectors.delete_counts(run.organization, run.cutover_epoch)["total"].values())
    sent = _capture_enqueues(monkeypatch, inline_rows=rows)

    assert _purge_step(run) is None  # nothing to wait for: no task was needed
    assert sent == []
    assert Student.tenant.of(run.organization).count() == 0
    run.refresh_from_db()
    parts = list(SchoolPurge.tenant.of(run.organization).filter(run=run))
    assert parts and all(part.done for part in parts)
    deleted: dict[str, int] = {}
    for part in parts:
        for name, n in part.deleted.items():
            deleted[name] = deleted.get(name, 0) + n
    assert deleted["students"] == 20
    assert {name: run.counts[name] for name in deleted} == deleted


def test_a_run_one_row_over_the_inline_limit_is_spread_as_tasks(
    org_with_five_schools, per_school, monkeypatch
):
    run = _run_at_purge(org_with_five_schools)
    rows = sum(selectors.delete_counts(run.organization, run.cutover_epoch)["total"].values())
    sent = _capture_enqueues(monkeypatch, inline_rows=rows - 1)

    assert _purge_step(run) is engine.WAIT
    assert sent
    assert Student.tenant.of(run.organization).count() == 20


def test_a_silent_school_is_dispatched_again(
    org_with_five_schools, per_school, monkeypatch, settings
):
    settings.RESET_MAX_CONCURRENT_PURGES_PER_ORG = 1
    sent = _capture_enqueues(monkeypatch)
    run = _run_at_purge(org_with_five_schools)
    _purge_step(run)
    assert len(sent) == 1

    # Its worker was killed: no progress for longer than the stale limit.
    long_ago = timezone.now() - timedelta(seconds=settings.RESET_STALE_AFTER_SECONDS + 5)
    SchoolPurge.unscoped.filter(run=run).update(updated_at=long_ago)
    WorkSlot.objects.update(claimed_at=long_ago)
    dispatch.purges_dispatch(run)
    assert len(sent) == 2


def test_the_purge_is_split_by_school_only_where_writers_run_concurrently(
    org_with_five_schools, monkeypatch
):
    from django.db import connection

    sent = _capture_enqueues(monkeypatch)
    run = _run_at_purge(org_with_five_schools)
    _purge_step(run)

    parts = list(SchoolPurge.tenant.of(run.organization).values_list("school_id", flat=True))
    if connection.vendor == "sqlite":  # one write lock for the whole file
        assert parts == [None]
        assert sent == [(run.pk, None)]
    else:
        assert sorted(parts) == sorted(
            School.tenant.of(run.organization).values_list("pk", flat=True)
        )
        assert len(sent) == min(len(parts), dispatch.settings.RESET_MAX_CONCURRENT_PURGES_PER_ORG)


def test_an_organization_wide_purge_is_one_task_that_finishes_every_school(
    org_with_five_schools, organization_wide, monkeypatch
):
    sent = _capture_enqueues(monkeypatch)
    run = _run_at_purge(org_with_five_schools)
    _purge_step(run)
    _purge_step(run)  # again, as a resumed run does: still one part
    assert sent == [(run.pk, None)]
    assert selectors.run_summary(run)["schools_done"] == 0
    overview = vendor_selectors.runs_overview().get(pk=run.pk)  # the operations console
    assert (overview.schools_done, overview.schools) == (0, 5)

    engine.reset_purge_part(run.pk, None)
    run.refresh_from_db()
    assert run.status == Status.SUCCEEDED, run.error
    assert Student.tenant.of(run.organization).count() == 0
    part = SchoolPurge.tenant.of(run.organization).get(run=run)
    assert part.done and part.school_id is None
    assert part.deleted["students"] == 20
    assert {k: run.counts[k] for k in part.deleted} == part.deleted
    summary = selectors.run_summary(run)
    assert summary["schools_done"] == summary["schools"] == 5
    overview = vendor_selectors.runs_overview().get(pk=run.pk)
    assert (overview.schools_done, overview.schools) == (5, 5)


def test_a_limited_reset_finishes_and_deletes_every_student(org_with_five_schools, settings):
    settings.RESET_MAX_CONCURRENT_PURGES_PER_ORG = 1
    run, _ = start_reset(org_with_five_schools)

    run.refresh_from_db()
    assert run.status == Status.SUCCEEDED, run.error
    assert Student.tenant.of(run.organization).count() == 0
    assert SchoolPurge.tenant.of(run.organization).filter(done=False).count() == 0


@pytest.fixture
def three_due(make_organization):
    cycle = ResetCycle.objects.get(year=2024)
    orgs = [make_organization(f"DUE00{n}") for n in range(3)]
    for org in orgs:
        OrganizationResetDate.unscoped.create(
            organization=org,
            cycle=cycle,
            reset_date=date(2024, 7, 19),
            source=ResetDateSource.DEFAULT,
        )
    return orgs


def test_the_tick_starts_no_more_runs_than_the_limit(three_due, monkeypatch, settings):
    settings.RESET_MAX_CONCURRENT_RUNS = 2
    # Runs stay running: nothing drives them past their claim (the start task drives its own).
    monkeypatch.setattr(dispatch, "_enqueue_advance", lambda run_id: None)
    monkeypatch.setattr(engine, "reset_advance", lambda run_id, **kwargs: None)
    now = datetime(2024, 7, 22, 12, 0, tzinfo=UTC)

    assert len(dispatch.reset_tick(now)) == 2
    assert len(dispatch.reset_tick(now)) == 0
    assert ResetRun.unscoped.filter(status=Status.RUNNING).count() == 2

    # A run ends (here: fails); its place goes to the third organization.
    ResetRun.unscoped.filter(pk=ResetRun.unscoped.first().pk).update(status=Status.FAILED)
    assert len(dispatch.reset_tick(now)) == 1
    assert ResetRun.unscoped.count() == 3


def test_no_limit_starts_every_due_run(three_due, monkeypatch, settings):
    settings.RESET_MAX_CONCURRENT_RUNS = 0
    monkeypatch.setattr(dispatch, "_enqueue_advance", lambda run_id: None)
    monkeypatch.setattr(engine, "reset_advance", lambda run_id, **kwargs: None)

    assert len(dispatch.reset_tick(datetime(2024, 7, 22, 12, 0, tzinfo=UTC))) == 3


def test_a_run_that_ends_in_its_start_task_hands_its_place_on(three_due, settings):
    """Small districts end inside their start task (purged in place): the next due one
    starts then, not a tick later."""
    settings.RESET_MAX_CONCURRENT_RUNS = 1
    dispatch.reset_tick(datetime(2024, 7, 22, 12, 0, tzinfo=UTC))

    assert ResetRun.unscoped.filter(status=Status.SUCCEEDED).count() == 3
