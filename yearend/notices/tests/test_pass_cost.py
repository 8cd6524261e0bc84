"""A pass is set-based: its query count does not grow with the number of organizations."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from yearend.notices.planning import Clock
from yearend.notices.services import notices_record_due
from yearend.notices.tests.conftest import utc
from yearend.people.models import Role
from yearend.scheduling.periodic import registered_jobs

CLOCK = Clock.for_pass(now=utc(2024, 7, 17, 12), as_of=date(2024, 7, 17))


def _organizations(dated, person, prefix: str, count: int) -> None:
    for n in range(count):
        organization = dated(f"{prefix}{n:03d}")
        person(Role.DISTRICT_ADMIN, organization, username=f"{prefix.lower()}-da-{n}")


def _queries_of_a_pass() -> int:
    with CaptureQueriesContext(connection) as queries:
        notices_record_due(CLOCK)
    return len(queries)


def test_planning_costs_the_same_for_2_or_12_organizations(dated, person):
    _organizations(dated, person, "SMALL", 2)
    small = _queries_of_a_pass()
    _organizations(dated, person, "LARGE", 10)
    large = _queries_of_a_pass()
    assert small == large
    # A pass that finds nothing new is cheaper still: no rendering, no insert.
    assert _queries_of_a_pass() < small


def test_the_worker_runs_a_pass_every_few_minutes():
    job = registered_jobs()["notices.send_due"]
    assert job.every.total_seconds() <= 15 * 60
    assert job.queue == "notices"
