"""Every route of the OpenAPI document, called by every role, gets the expected status.

The routes come from /api/v1/openapi.json itself, so a route added later without a row
in TABLE fails this test. Each call runs in a transaction that is rolled back, so every
role meets the same state (a write by one role does not change what the next one sees).
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.db import transaction
from django.test import Client

from yearend.api.tests.conftest import ROLES
from yearend.api.tests.world import build_world
from yearend.rosters.tests.bundles import roster_files

pytestmark = [pytest.mark.core, pytest.mark.django_db]

# Statuses in the order of ROLES:
# outsider (another organization's district administrator), teacher, school administrator,
# district administrator, customer-success manager, operations.
EVERYONE = (200, 200, 200, 200, 200, 200)
MEMBERS = (404, 200, 200, 200, 200, 200)
MANAGERS = (404, 403, 403, 200, 200, 200)
VENDOR = (403, 403, 403, 403, 200, 200)
OPS_ONLY = (404, 403, 403, 403, 403, 200)
EXPORT_READERS = (404, 404, 404, 200, 200, 200)

ORG = "/api/v1/organizations/{site_code}"

TABLE: dict[str, tuple[tuple[int, ...], dict | None]] = {
    "GET /api/v1/me": (EVERYONE, None),
    "GET /api/v1/organizations": (EVERYONE, None),
    f"GET {ORG}": (MEMBERS, None),
    f"GET {ORG}/reset-date": (MEMBERS, None),
    f"PUT {ORG}/reset-date": ((404, 403, 403, 200, 200, 403), "date_change"),
    f"GET {ORG}/reset-date/allowed-days": (MANAGERS, None),
    f"GET {ORG}/reset-date/history": (MANAGERS, None),
    f"GET {ORG}/reset-preview": (MANAGERS, None),
    f"GET {ORG}/reset-runs": (MANAGERS, None),
    f"GET {ORG}/reset-runs/{{run_id}}": (MANAGERS, None),
    f"GET {ORG}/reset-runs/{{run_id}}/certificate": (MANAGERS, None),
    f"GET {ORG}/reset-runs/{{run_id}}/certificate.pdf": (MANAGERS, None),
    # The run already succeeded: operations get the rule's conflict.
    f"POST {ORG}/reset-runs/{{run_id}}/resume": ((404, 403, 403, 403, 403, 409), {}),
    f"POST {ORG}/exports": ((404, 403, 202, 202, 202, 202), "export"),
    "GET /api/v1/exports/{job_id}": (EXPORT_READERS, None),
    "GET /api/v1/exports/{job_id}/download": (EXPORT_READERS, None),
    f"GET {ORG}/progress-reports": (MEMBERS, None),
    f"GET {ORG}/sync": (MANAGERS, None),
    f"POST {ORG}/sync/pause": (MANAGERS, {"note": "testing"}),
    f"POST {ORG}/sync/resume": (MANAGERS, {}),
    f"GET {ORG}/imports": (MANAGERS, None),
    f"POST {ORG}/imports": (MANAGERS, "upload"),
    f"GET {ORG}/held-imports": (MANAGERS, None),
    f"GET {ORG}/held-imports/{{hold_id}}": (MANAGERS, None),
    f"POST {ORG}/held-imports/{{hold_id}}/approve": (MANAGERS, {}),
    f"POST {ORG}/held-imports/{{hold_id}}/discard": (MANAGERS, {}),
    f"GET {ORG}/educators/cleanup-candidates": (MANAGERS, None),
    f"POST {ORG}/educators/remove": (MANAGERS, "remove"),
    "GET /api/v1/vendor/organizations": (VENDOR, None),
    # Operations may not move dates: only district administrators and CSMs may.
    "PUT /api/v1/vendor/organizations/{site_code}/reset-date": (
        (403, 403, 403, 403, 200, 403),
        "date_change",
    ),
    "POST /api/v1/vendor/reset-dates/assign": (VENDOR, "assign"),
    "GET /api/v1/vendor/reset-runs": (VENDOR, None),
    # Off-schedule resets: operations only (the service refuses CSMs); the open request is
    # another operations user's, so operations may approve it (two people).
    "GET /api/v1/vendor/offschedule-requests": (VENDOR, None),
    "POST /api/v1/vendor/organizations/{site_code}/offschedule-requests": (
        (403, 403, 403, 403, 403, 201),
        {"reason": "District asked to start early"},
    ),
    "POST /api/v1/vendor/offschedule-requests/{request_id}/approve": (
        (403, 403, 403, 403, 403, 202),
        {},
    ),
    "POST /api/v1/vendor/offschedule-requests/{request_id}/reject": (
        (403, 403, 403, 403, 403, 200),
        {"note": "not now"},
    ),
}


def routes_of_the_document() -> list[str]:
    document = Client().get("/api/v1/openapi.json").json()
    return sorted(
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method in operations
    )


def zipped_roster() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, lines in roster_files(12).items():
            archive.writestr(f"{name}.csv", "\r\n".join(lines) + "\r\n")
    return buffer.getvalue()


def test_every_route_of_the_document_is_in_the_table(db):
    routes = routes_of_the_document()
    missing = [r for r in routes if r not in TABLE]
    stale = [r for r in TABLE if r not in routes]
    assert not missing, f"routes without an entry in TABLE: {missing}"
    assert not stale, f"TABLE rows for routes that no longer exist: {stale}"


def test_every_route_answers_every_role_as_expected(
    org, users, future_cycle, north, api_as, tmp_path
):
    world = build_world(org, users, future_cycle, tmp_path)
    values = world.path_values()
    bodies = {
        "date_change": {
            "date": world.allowed_day,
            "reason": "Customer asked for it",
            "cycle": future_cycle.year,
        },
        "export": {"format": "csv", "school_id": north.pk},
        "assign": {"cycle": future_cycle.year},
        "remove": {"educator_ids": [users["teacher"].pk]},
    }
    clients = {role: api_as(users[role]) for role in ROLES}
    upload = zipped_roster()
    mismatches = []
    for route in routes_of_the_document():
        expected, body = TABLE[route]
        method, template = route.split(" ", 1)
        path = template.format(**values)
        for role, want in zip(ROLES, expected, strict=True):
            client = clients[role]
            with transaction.atomic():
                if body == "upload":
                    response = client.post(path, {"bundle": io.BytesIO(upload), "dry_run": "false"})
                elif method == "GET":
                    response = client.get(path)
                else:
                    payload = bodies.get(body, body) if isinstance(body, str) else body
                    response = client.json(method, path, payload)
                transaction.set_rollback(True)
            if response.status_code != want:
                mismatches.append(
                    f"{route} as {role}: {response.status_code} (expected {want}) "
                    f"{response.content[:200]!r}"
                )
            if response.status_code >= 400:
                error = response.json()
                assert set(error) >= {"code", "message"}, (route, role, error)
                assert "Traceback" not in error["message"]
    assert not mismatches, "\n".join(mismatches)
