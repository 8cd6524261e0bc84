from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command

from yearend.resetdates.models import OrganizationResetDate, ResetCycle, ResetDateSource
from yearend.resets.dispatch import reset_tick
from yearend.resets.models import ResetRun, Status

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture
def dated(make_organization):
    """Chicago (UTC-5 in July) and Auckland (UTC+12) both reset on Fri Jul 19, 2024."""
    cycle = ResetCycle.objects.get(year=2024)
    orgs = {
        "chicago": make_organization("CHI001", time_zone="America/Chicago"),
        "auckland": make_organization(
            "AKL001", time_zone="Pacific/Auckland", country="NZ", subdivision=""
        ),
    }
    for org in orgs.values():
        OrganizationResetDate.unscoped.create(
            organization=org,
            cycle=cycle,
            reset_date=date(2024, 7, 19),
            source=ResetDateSource.DEFAULT,
        )
    return orgs


@pytest.fixture
def claims_only(monkeypatch):
    """The start task claims the run and leaves it there: a run driven on to its end would
    hand its place on with the real clock (``after_task``), not the tick's simulated one."""
    from yearend.resets import engine

    monkeypatch.setattr(engine, "reset_advance", lambda run_id, **kwargs: None)


def _runs():
    return sorted(ResetRun.unscoped.values_list("organization__site_code", flat=True))


def test_it_starts_nothing_before_the_local_day_begins(dated):
    reset_tick(datetime(2024, 7, 18, 11, 59, tzinfo=UTC))  # Auckland: Jul 18, 23:59

    assert _runs() == []


def test_it_starts_each_organization_at_its_own_local_midnight(dated, claims_only):
    reset_tick(datetime(2024, 7, 18, 12, 0, tzinfo=UTC))  # Auckland: Jul 19, 00:00
    assert _runs() == ["AKL001"]

    reset_tick(datetime(2024, 7, 19, 4, 59, tzinfo=UTC))  # Chicago: Jul 18, 23:59
    assert _runs() == ["AKL001"]

    reset_tick(datetime(2024, 7, 19, 5, 0, tzinfo=UTC))  # Chicago: Jul 19, 00:00
    assert _runs() == ["AKL001", "CHI001"]


def test_a_missed_tick_starts_late_and_repeated_ticks_start_nothing_twice(dated):
    late = datetime(2024, 7, 23, 9, 0, tzinfo=UTC)
    for _ in range(3):
        reset_tick(late)

    assert _runs() == ["AKL001", "CHI001"]
    assert ResetRun.unscoped.count() == 2


def test_the_date_is_locked_once_the_reset_starts(dated, claims_only):
    reset_tick(datetime(2024, 7, 18, 12, 0, tzinfo=UTC))

    locked = OrganizationResetDate.unscoped.filter(locked_at__isnull=False)
    assert list(locked.values_list("organization__site_code", flat=True)) == ["AKL001"]


def test_the_command_runs_one_tick(dated, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reset_tick")

    # Today is long after Jul 19, 2024: both start and finish (no students to delete).
    assert _runs() == ["AKL001", "CHI001"]
    assert set(ResetRun.unscoped.values_list("status", flat=True)) == {Status.SUCCEEDED}


def test_a_start_whose_run_slot_went_to_another_reset_starts_nothing(dated, claims_only):
    from yearend.resets.dispatch import RUNS_SCOPE, reset_start_task
    from yearend.scheduling.models import WorkSlot

    chicago = dated["chicago"]
    cycle = ResetCycle.objects.get(year=2024)
    # It waited in the queue past the silence rule: its slot now holds another reset.
    WorkSlot.objects.create(scope=RUNS_SCOPE, number=0, holder="999:1")
    reset_start_task.call(chicago.pk, cycle.pk)
    assert _runs() == []

    WorkSlot.objects.filter(scope=RUNS_SCOPE).update(holder=f"{chicago.pk}:{cycle.pk}")
    reset_start_task.call(chicago.pk, cycle.pk)
    assert _runs() == ["CHI001"]
