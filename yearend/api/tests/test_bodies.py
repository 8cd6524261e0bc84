"""A write whose JSON body is not an object is refused with 422 and writes nothing.

The routes come from the API's own OpenAPI document (as in test_routes_by_role), so a
write route added later is tried here without anyone remembering to. Each is called by a
role that may use it, so the refusal is the body's, not the role's.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from yearend.api.tests.conftest import ROLES
from yearend.api.tests.test_routes_by_role import TABLE, routes_of_the_document
from yearend.api.tests.world import build_world
from yearend.audit.models import AuditEvent
from yearend.reports.models import ExportJob
from yearend.rosters.models import SyncState

pytestmark = [pytest.mark.core, pytest.mark.django_db]

NOT_OBJECTS = ("[]", "123", "null", '"abc"')
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _write_routes() -> list[str]:
    return [route for route in routes_of_the_document() if route.split(" ")[0] in WRITE_METHODS]


def _a_role_that_may(route: str) -> str:
    """The most trusted role the route does not refuse (it may still meet a rule's 409,
    as resume does)."""
    statuses, _ = TABLE[route]
    allowed = [r for r, status in zip(ROLES, statuses, strict=True) if status not in (403, 404)]
    return allowed[-1]


def _send(client, method: str, path: str, body: str):
    call = getattr(client.client, method.lower())
    return call(path, data=body, content_type="application/json", headers=client._headers(None))


def test_every_write_refuses_a_body_that_is_not_an_object(
    org, users, future_cycle, north, api_as, tmp_path
):
    world = build_world(org, users, future_cycle, tmp_path)
    values = world.path_values()
    routes = _write_routes()
    assert len(routes) >= 10, routes  # the walk found the API's writes
    clients = {role: api_as(users[role]) for role in ROLES}
    wrong = []
    for route in routes:
        method, template = route.split(" ", 1)
        client = clients[_a_role_that_may(route)]
        for body in NOT_OBJECTS:
            with transaction.atomic():
                audit_rows = AuditEvent.objects.count()
                response = _send(client, method, template.format(**values), body)
                written = AuditEvent.objects.count() - audit_rows
                transaction.set_rollback(True)
            if response.status_code != 422 or written:
                wrong.append(f"{route} with {body}: {response.status_code}, {written} audit rows")
            else:
                assert response.json()["code"] == "validation_error"
    assert not wrong, "\n".join(wrong)


def test_an_array_neither_queues_an_export_nor_pauses_syncs(org, users, api_as):
    client = api_as(users["district_admin"])
    exports = _send(client, "POST", "/api/v1/organizations/HOME01/exports", "[]")
    pause = _send(client, "POST", "/api/v1/organizations/HOME01/sync/pause", "123")
    assert (exports.status_code, pause.status_code) == (422, 422)
    assert "must be a JSON object, not an array" in exports.json()["message"]
    assert "not a number" in pause.json()["message"]
    assert not ExportJob.tenant.of(org).exists()
    assert not SyncState.tenant.of(org).filter(manual_paused_at__isnull=False).exists()


@pytest.mark.parametrize(
    "payload", [{"cycle": None}, {"capacity": None}, {"cycle": None, "capacity": None}]
)
def test_assigning_default_dates_refuses_nulls(users, api_as, future_cycle, payload):
    client = api_as(users["csm"])
    response = client.json("POST", "/api/v1/vendor/reset-dates/assign", payload)
    assert response.status_code == 422, response.content
    assert response.json()["field"] in payload
    assert not AuditEvent.objects.filter(action="resetdates.assign_defaults").exists()


def test_moving_the_date_refuses_a_null_cycle(users, api_as, future_cycle, org):
    client = api_as(users["district_admin"])
    response = client.json(
        "PUT", "/api/v1/organizations/HOME01/reset-date", {"date": "2031-08-01", "cycle": None}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "cycle"
