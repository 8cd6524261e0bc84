"""The seed's four steps count what happened since the previous reset ended."""

from datetime import timedelta

import pytest
from django.utils import timezone

from yearend.audit.models import AuditEvent
from yearend.audit.services import audit_record
from yearend.portal.selectors import recommended_steps
from yearend.resets.models import ResetRun, Status, Step

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def _steps(org, cycle) -> dict:
    return {step.key: step for step in recommended_steps(org, cycle)}


def _event(org, action: str, at, **details) -> None:
    event = audit_record(action=action, organization=org, details=details)
    AuditEvent.objects.filter(pk=event.pk).update(at=at)


def _finished_reset(org, cycle, at) -> None:
    ResetRun.unscoped.create(
        organization=org,
        cycle=cycle,
        status=Status.SUCCEEDED,
        step=Step.DONE,
        started_at=at - timedelta(hours=1),
        finished_at=at,
    )


def test_it_counts_everything_when_there_was_no_reset_yet(org, cycle):
    long_ago = timezone.now() - timedelta(days=400)
    _event(org, "reports.progress_reports_written", long_ago)
    _event(org, "educators.remove", long_ago, count=3)
    steps = _steps(org, cycle)
    assert steps["progress"].done
    assert steps["progress"].detail == f"Printed {long_ago:%b %-d, %Y}."
    assert steps["educators"].done
    assert steps["educators"].detail.startswith(f"3 removed {long_ago:%b %-d, %Y}.")


def test_what_happened_before_the_previous_reset_ended_does_not_count(org, cycle):
    now = timezone.now()
    _event(org, "reports.progress_reports_downloaded", now - timedelta(days=30))
    _event(org, "educators.remove", now - timedelta(days=30), count=2)
    _finished_reset(org, cycle, now - timedelta(days=10))
    steps = _steps(org, cycle)
    assert not steps["progress"].done
    assert steps["progress"].detail == "No progress reports printed yet."
    assert "removed" not in steps["educators"].detail

    _event(org, "educators.remove", now - timedelta(days=2), count=5)
    _event(org, "educators.remove", now - timedelta(days=1), count=1)
    _event(org, "reports.progress_reports_written", now - timedelta(days=1))
    steps = _steps(org, cycle)
    assert steps["progress"].done
    assert steps["educators"].detail.startswith("1 removed")  # the newest removal


def test_another_organizations_events_do_not_count(org, other_org, cycle):
    _event(other_org, "reports.progress_reports_written", timezone.now())
    assert not _steps(org, cycle)["progress"].done
