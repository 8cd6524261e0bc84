"""Each write through the API: its effect, its audit row (who, what, via, from where),
and refusals that carry the portal's rule messages and change nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import TestCase

from yearend.audit.models import AuditEvent
from yearend.reports.models import ExportJob
from yearend.reports.services import export_job_run
from yearend.resetdates.models import OrganizationResetDate, ResetDateChange
from yearend.resetdates.selectors import allowed_days_for
from yearend.resets.engine import reset_start
from yearend.resets.models import ResetRun, Status
from yearend.rosters.models import HeldImport, ImportRun, SyncState
from yearend.rosters.services import roster_import
from yearend.rosters.tests.bundles import roster_files, write_bundle, zipped

pytestmark = [pytest.mark.core, pytest.mark.django_db]

ORG = "/api/v1/organizations/HOME01"


def audit(action: str) -> AuditEvent:
    """The one row the API request wrote for ``action`` (the engine may add its own)."""
    event = AuditEvent.objects.get(action=action, via="api")
    assert event.remote_addr == "127.0.0.1"
    return event


def test_a_district_administrator_moves_the_date(users, api_as, org, future_cycle):
    day = allowed_days_for(org, future_cycle)[5]
    response = api_as(users["district_admin"]).json(
        "PUT", f"{ORG}/reset-date", {"date": day.isoformat()}
    )
    assert response.status_code == 200, response.content
    assert response.json()["reset_date"] == day.isoformat()
    record = OrganizationResetDate.tenant.of(org).get(cycle=future_cycle)
    assert record.reset_date == day and record.source == "district_admin"
    change = ResetDateChange.tenant.of(org).get()
    assert change.via == "api" and change.changed_by == users["district_admin"]
    event = audit("resetdates.date_set")
    assert event.actor == users["district_admin"] and event.organization == org
    assert event.details["to"] == day.isoformat()


def test_a_weekend_is_refused_with_the_portals_message(users, api_as, org, future_cycle):
    saturday = next(
        date(future_cycle.year, 7, d)
        for d in range(1, 8)
        if date(future_cycle.year, 7, d).weekday() == 5
    )
    response = api_as(users["district_admin"]).json(
        "PUT", f"{ORG}/reset-date", {"date": saturday.isoformat()}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["field"] == "date"
    assert "Saturday" in body["message"]
    assert not OrganizationResetDate.tenant.of(org).exists()
    assert not AuditEvent.objects.filter(action="resetdates.date_set").exists()


def test_a_csm_override_needs_a_reason(users, api_as, org, future_cycle):
    outside = date(future_cycle.year, 11, 3).isoformat()
    client = api_as(users["csm"])
    refused = client.json(
        "PUT", "/api/v1/vendor/organizations/HOME01/reset-date", {"date": outside}
    )
    assert refused.status_code == 400
    assert refused.json()["field"] == "reason"
    accepted = client.json(
        "PUT",
        "/api/v1/vendor/organizations/HOME01/reset-date",
        {"date": outside, "reason": "International customer"},
    )
    assert accepted.status_code == 200, accepted.content
    assert ResetDateChange.tenant.of(org).get().reason == "International customer"
    assert audit("resetdates.date_set").details["outside_window"] is True


def test_a_missing_field_is_a_422_that_names_it(users, api_as, future_cycle):
    response = api_as(users["district_admin"]).json("PUT", f"{ORG}/reset-date", {"day": "x"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["field"] == "date"
    assert body["errors"][0]["field"] == "date"


def test_assignment_gives_every_organization_a_default(users, api_as, org, other_org, future_cycle):
    response = api_as(users["ops"]).json(
        "POST", "/api/v1/vendor/reset-dates/assign", {"cycle": future_cycle.year}
    )
    assert response.status_code == 200, response.content
    assert response.json()["assigned"] == 2
    assert OrganizationResetDate.unscoped.filter(cycle=future_cycle).count() == 2
    assert audit("resetdates.assign_defaults").actor == users["ops"]


def test_an_off_schedule_reset_needs_a_second_operations_user(users, api_as, org, future_cycle):
    asked = api_as(users["ops"]).json(
        "POST",
        "/api/v1/vendor/organizations/HOME01/offschedule-requests",
        {"reason": "District closes early this year"},
    )
    assert asked.status_code == 201, asked.content
    request_id = asked.json()["id"]
    assert audit("reset.offschedule.request").details["request_id"] == request_id
    approve = f"/api/v1/vendor/offschedule-requests/{request_id}/approve"
    alone = api_as(users["ops"]).json("POST", approve)
    assert alone.status_code == 403
    assert not ResetRun.tenant.of(org).exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        approved = api_as(users["second_ops"]).json("POST", approve)
    assert approved.status_code == 202, approved.content
    run = ResetRun.tenant.of(org).get()
    assert run.via == "api" and run.started_by == "ops-2"
    assert audit("reset.offschedule.approve").details["run_id"] == run.pk
    assert audit("reset.start").details["run_id"] == run.pk
    detail = api_as(users["district_admin"]).get(f"{ORG}/reset-runs/{run.pk}")
    assert detail.status_code == 200
    assert detail.json()["status"] == Status.SUCCEEDED
    assert "certificate_json" not in detail.json()
    certificate = api_as(users["district_admin"]).get(f"{ORG}/reset-runs/{run.pk}/certificate")
    assert certificate.json()["signature"]


def test_an_off_schedule_request_can_be_rejected(users, api_as, org, future_cycle):
    asked = api_as(users["ops"]).json(
        "POST",
        "/api/v1/vendor/organizations/HOME01/offschedule-requests",
        {"reason": "District closes early this year"},
    )
    request_id = asked.json()["id"]
    rejected = api_as(users["second_ops"]).json(
        "POST", f"/api/v1/vendor/offschedule-requests/{request_id}/reject", {"note": "no"}
    )
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert audit("reset.offschedule.reject").actor == users["second_ops"]
    assert not ResetRun.tenant.of(org).exists()


def test_a_short_reason_is_refused_and_names_the_field(users, api_as, org, future_cycle):
    response = api_as(users["ops"]).json(
        "POST", "/api/v1/vendor/organizations/HOME01/offschedule-requests", {"reason": "x"}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "reason"


def test_operations_resume_a_failed_run(users, api_as, org, future_cycle):
    run, _ = reset_start(organization=org)
    ResetRun.tenant.of(org).filter(pk=run.pk).update(status=Status.FAILED, error="boom")
    client = api_as(users["ops"])
    with TestCase.captureOnCommitCallbacks(execute=True) as handed_to_worker:
        response = client.json("POST", f"{ORG}/reset-runs/{run.pk}/resume")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.RUNNING  # the request does not run the purge
    assert handed_to_worker  # the worker (run here) finishes it
    run.refresh_from_db()
    assert run.status == Status.SUCCEEDED
    assert audit("reset.resume").details["run_id"] == run.pk


def test_an_export_is_started_watched_and_downloaded(users, api_as, org, tmp_path):
    roster_import(organization=org, path=write_bundle(tmp_path / "a", roster_files(5)))
    client = api_as(users["district_admin"])
    with TestCase.captureOnCommitCallbacks(execute=False):
        started = client.json("POST", f"{ORG}/exports", {"format": "csv"})
    assert started.status_code == 202, started.content
    job_id = started.json()["id"]
    assert audit("reports.export_requested").details["export_job"] == job_id
    assert client.get(f"/api/v1/exports/{job_id}").json()["status"] == "queued"
    assert client.get(f"/api/v1/exports/{job_id}/download").status_code == 404
    export_job_run(job_id=job_id)
    status = client.get(f"/api/v1/exports/{job_id}").json()
    assert status["status"] == ExportJob.Status.DONE
    assert status["download"] == f"/api/v1/exports/{job_id}/download"
    download = client.get(status["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).count(b"\n") >= 6


def test_syncs_pause_and_resume(users, api_as, org):
    client = api_as(users["district_admin"])
    paused = client.json("POST", f"{ORG}/sync/pause", {"note": "SIS migration"})
    assert paused.status_code == 200
    assert paused.json()["pause_reason"] == "manual"
    state = SyncState.tenant.of(org).get()
    assert state.manual_paused_by == "home-da" and state.manual_pause_note == "SIS migration"
    assert audit("sync.pause").actor == users["district_admin"]
    resumed = client.json("POST", f"{ORG}/sync/resume")
    assert resumed.json()["paused"] is False
    assert audit("sync.resume").actor == users["district_admin"]


def test_a_bundle_upload_imports_the_roster(users, api_as, org):
    response = api_as(users["district_admin"]).post(
        f"{ORG}/imports", {"bundle": zipped(roster_files(6))}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == ImportRun.Status.APPLIED
    assert "path" not in body
    assert audit("api.roster_upload").details["run"] == body["id"]
    listed = api_as(users["district_admin"]).get(f"{ORG}/imports").json()
    assert [run["id"] for run in listed] == [body["id"]]


def test_a_broken_bundle_is_refused_and_names_the_field(users, api_as, org):
    broken = io.BytesIO(b"not a zip")
    broken.name = "roster.zip"
    response = api_as(users["district_admin"]).post(f"{ORG}/imports", {"bundle": broken})
    assert response.status_code == 400
    assert "zip" in response.json()["message"]
    assert not ImportRun.tenant.of(org).exists()


@pytest.fixture
def held(org, tmp_path) -> HeldImport:
    roster_import(organization=org, path=write_bundle(tmp_path / "a", roster_files(10)))
    files = roster_files(10)
    files["users"] = [r for r in files["users"] if not r.startswith(("s-0,", "s-1,"))]
    files["enrollments"] = [
        r for r in files["enrollments"] if r.split(",")[5] not in {"s-0", "s-1"}
    ]
    run = roster_import(organization=org, path=write_bundle(tmp_path / "b", files))
    assert run.status == ImportRun.Status.HELD
    return HeldImport.tenant.of(org).get()


def test_a_held_import_is_previewed_and_approved(users, api_as, held):
    client = api_as(users["district_admin"])
    [listed] = client.get(f"{ORG}/held-imports").json()
    assert listed["id"] == held.pk
    detail = client.get(f"{ORG}/held-imports/{held.pk}").json()
    assert detail["preview"]["counts"]["students"]["removed"] == 2
    approved = client.json("POST", f"{ORG}/held-imports/{held.pk}/approve")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == ImportRun.Status.APPLIED
    held.refresh_from_db()
    assert held.decision == HeldImport.Decision.APPROVED
    assert audit("roster.hold.approve").details["hold"] == held.pk
    again = client.json("POST", f"{ORG}/held-imports/{held.pk}/discard")
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"


def test_a_held_import_is_discarded(users, api_as, held):
    response = api_as(users["district_admin"]).json("POST", f"{ORG}/held-imports/{held.pk}/discard")
    assert response.status_code == 200
    assert response.json()["decision"] == HeldImport.Decision.DISCARDED
    assert audit("roster.hold.discard").actor == users["district_admin"]


def test_an_unexpected_failure_is_a_500_without_a_traceback(users, api_as, monkeypatch):
    import yearend.api.endpoints.organizations as endpoint

    def explode(user):
        raise RuntimeError("secret internals /srv/app/settings.py line 12")

    monkeypatch.setattr(endpoint, "organizations_for", explode)
    response = api_as(users["district_admin"]).get("/api/v1/organizations")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content


def test_the_docs_page_needs_no_internet_and_lists_every_route(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'src="http' not in html and 'href="http' not in html  # nothing from elsewhere
    assert "cdn" not in html.lower()
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["title"] == "Year-End Reset API"
    for path, item in document["paths"].items():
        for method in item:
            assert f"{method.upper()} {path}" in html


def test_educators_are_listed_for_clean_up_and_removed(users, api_as, org, tmp_path):
    roster_import(organization=org, path=write_bundle(tmp_path / "a", roster_files(3)))
    client = api_as(users["district_admin"])
    listed = client.get(f"{ORG}/educators/cleanup-candidates?missing_from_roster=true")
    assert listed.status_code == 200, listed.content
    by_name = {c["username"]: c for c in listed.json()}
    # Created by hand, unknown to the SIS roster that was applied.
    assert by_name["home-teacher"]["reasons"] == ["missing_from_roster"]
    teacher = users["teacher"]
    removed = client.json("POST", f"{ORG}/educators/remove", {"educator_ids": [teacher.pk]})
    assert removed.status_code == 200, removed.content
    assert removed.json() == {"removed": [teacher.pk]}
    teacher.refresh_from_db()
    assert teacher.is_active is False
    assert audit("educators.remove").details["educator_ids"] == [teacher.pk]


def test_removing_another_organizations_educator_removes_nobody(users, api_as, org):
    client = api_as(users["district_admin"])
    response = client.json(
        "POST",
        f"{ORG}/educators/remove",
        {"educator_ids": [users["teacher"].pk, users["outsider"].pk]},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "educators"
    users["teacher"].refresh_from_db()
    users["outsider"].refresh_from_db()
    assert users["teacher"].is_active and users["outsider"].is_active
    assert not AuditEvent.objects.filter(action="educators.remove").exists()
