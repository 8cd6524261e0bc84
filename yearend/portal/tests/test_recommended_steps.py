"""The seed's four steps count what happened since the previous reset ended.

The facts come from the apps that own them (a progress-report print, an educator's
removal), built here through their services and moved back in time.
"""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from yearend.audit.models import Via
from yearend.people.models import Role, Student, User
from yearend.portal.selectors import recommended_steps
from yearend.reports.models import ProgressReportPrint
from yearend.reports.services import progress_reports_print
from yearend.resets.models import ResetRun, Status, Step
from yearend.rosters.educator_cleanup import educators_remove

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def _steps(org, cycle) -> dict:
    return {step.key: step for step in recommended_steps(org, cycle)}


def _printed(org, at, via=Via.COMMAND) -> None:
    progress_reports_print(
        io.BytesIO(), organization=org, students=Student.tenant.of(org).none(), via=via
    )
    newest = ProgressReportPrint.tenant.of(org).latest("pk")
    ProgressReportPrint.tenant.of(org).filter(pk=newest.pk).update(printed_at=at)


def _removed(org, at, count: int, make_user) -> None:
    admin = User.objects.filter(organization=org, role=Role.DISTRICT_ADMIN).first()
    admin = admin or make_user(Role.DISTRICT_ADMIN, org)
    leavers = [make_user(Role.TEACHER, org).pk for _ in range(count)]
    educators_remove(organization=org, educator_ids=leavers, acting_user=admin)
    User.objects.filter(pk__in=leavers).update(removed_at=at)


def _finished_reset(org, cycle, at) -> None:
    ResetRun.unscoped.create(
        organization=org,
        cycle=cycle,
        status=Status.SUCCEEDED,
        step=Step.DONE,
        started_at=at - timedelta(hours=1),
        finished_at=at,
    )


def test_it_counts_everything_when_there_was_no_reset_yet(org, cycle, make_user):
    long_ago = timezone.now() - timedelta(days=400)
    _printed(org, long_ago)
    _removed(org, long_ago, 3, make_user)
    steps = _steps(org, cycle)
    assert steps["progress"].done
    assert steps["progress"].detail == f"Printed {long_ago:%b %-d, %Y}."
    assert steps["educators"].done
    assert steps["educators"].detail.startswith(f"3 removed {long_ago:%b %-d, %Y}.")


def test_what_happened_before_the_previous_reset_ended_does_not_count(org, cycle, make_user):
    now = timezone.now()
    _printed(org, now - timedelta(days=30), via=Via.PORTAL)
    _removed(org, now - timedelta(days=30), 2, make_user)
    _finished_reset(org, cycle, now - timedelta(days=10))
    steps = _steps(org, cycle)
    assert not steps["progress"].done
    assert steps["progress"].detail == "No progress reports printed yet."
    assert "removed" not in steps["educators"].detail

    _removed(org, now - timedelta(days=2), 5, make_user)
    _removed(org, now - timedelta(days=1), 1, make_user)
    _printed(org, now - timedelta(days=1))
    steps = _steps(org, cycle)
    assert steps["progress"].done
    assert steps["educators"].detail.startswith("1 removed")  # the newest removal


def test_another_organizations_events_do_not_count(org, other_org, cycle):
    _printed(other_org, timezone.now())
    assert not _steps(org, cycle)["progress"].done
