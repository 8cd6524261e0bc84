"""Schemathesis against the live OpenAPI document: no server error, no response that
breaks the document's schema, for a signed-in district administrator.

Every operation is tried with generated input three ways: valid input with its path
pointing at real objects of the administrator's organization (so the deep code runs),
valid input with generated paths (mostly 404s, which must be well-formed too), and
invalid input (which must be refused, never crash). Each call is rolled back.
"""

from __future__ import annotations

import os

import pytest
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from django.test import override_settings

from yearend.api.services import api_token_create
from yearend.api.tests.world import build_world

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "25"))


@override_settings(API_RATE_PER_TOKEN=(100_000, 60))
def test_generated_requests_never_fail_or_break_the_schema(org, users, future_cycle, tmp_path):
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings, strategies
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import response_schema_conformance

    world = build_world(org, users, future_cycle, tmp_path)
    secret = api_token_create(user=users["district_admin"], name="fuzz", scope="read_write").secret
    known = {
        "site_code": org.site_code,
        "run_id": world.run.pk,
        "job_id": world.job.pk,
        "hold_id": world.hold.pk,
        "request_id": world.offschedule.pk,
    }
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    headers = {"Authorization": f"Bearer {secret}"}
    failures: list[str] = []
    statuses: list[int] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        names = {p.name for p in operation.path_parameters}
        strategy = strategies.one_of(
            operation.as_strategy(
                headers=headers, path_parameters={k: v for k, v in known.items() if k in names}
            ),
            operation.as_strategy(headers=headers),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE, headers=headers),
        )

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def call(case):
            with transaction.atomic():
                try:
                    response = case.call_and_validate(
                        checks=[not_a_server_error, response_schema_conformance]
                    )
                    statuses.append(response.status_code)
                finally:
                    transaction.set_rollback(True)

        try:
            call()
        except Exception as failure:  # collected, so one run reports every operation
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}")
    assert operations >= 30
    # Generation really reached the handlers, not only the validation layer.
    assert len(statuses) >= operations * 5
    assert sum(200 <= s < 300 for s in statuses) >= operations
    print(f"{len(statuses)} calls; statuses: {sorted(set(statuses))}")
    assert not failures, "\n\n".join(failures)
