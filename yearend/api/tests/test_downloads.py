"""What the API hands out is recorded as the portal's downloads are: the export (so the
reminders stop asking for it), progress reports printed, a deletion certificate."""

from __future__ import annotations

import pytest
from django.test import TestCase

from yearend.audit.models import AuditEvent
from yearend.portal.selectors import recommended_steps
from yearend.reports.models import ExportJob, ProgressReportPrint
from yearend.reports.services import export_job_run, export_request

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def _steps(org) -> dict:
    return {step.key: step for step in recommended_steps(org, None)}


def test_an_export_downloaded_through_the_api_is_recorded(org, users, api_as):
    admin = users["district_admin"]
    with TestCase.captureOnCommitCallbacks(execute=False):
        job = export_request(actor=admin, organization=org, fmt="csv")
    export_job_run(job_id=job.pk)
    assert not _steps(org)["export"].done

    response = api_as(admin).get(f"/api/v1/exports/{job.pk}/download")
    assert response.status_code == 200
    b"".join(response.streaming_content)

    job.refresh_from_db()
    assert job.downloaded_at is not None
    event = AuditEvent.objects.get(action="reports.export_downloaded")
    assert (event.actor, event.via, event.details) == (admin, "api", {"export_job": job.pk})
    assert _steps(org)["export"].done


def test_a_refused_or_unfinished_export_download_records_nothing(org, users, api_as):
    admin = users["district_admin"]
    with TestCase.captureOnCommitCallbacks(execute=False):
        job = export_request(actor=admin, organization=org, fmt="csv")
    assert api_as(admin).get(f"/api/v1/exports/{job.pk}/download").status_code == 404
    assert api_as(users["outsider"]).get(f"/api/v1/exports/{job.pk}/download").status_code == 404
    assert ExportJob.unscoped.get(pk=job.pk).downloaded_at is None
    assert not AuditEvent.objects.filter(action="reports.export_downloaded").exists()


def test_progress_reports_printed_through_the_api_are_recorded(org, users, api_as, north):
    teacher = users["teacher"]
    response = api_as(teacher).get(
        f"/api/v1/organizations/{org.site_code}/progress-reports?school_id={north.pk}"
    )
    assert response.status_code == 200
    b"".join(response.streaming_content)

    printed = ProgressReportPrint.tenant.of(org).get()
    assert (printed.via, printed.printed_by, printed.school) == ("api", teacher, north)
    event = AuditEvent.objects.get(action="reports.progress_reports_downloaded")
    assert (event.actor, event.via, event.details["school"]) == (teacher, "api", north.pk)
    assert _steps(org)["progress"].done


def test_progress_reports_refused_are_not_recorded(org, users, api_as, north):
    response = api_as(users["outsider"]).get(
        f"/api/v1/organizations/{org.site_code}/progress-reports"
    )
    assert response.status_code == 404
    assert not ProgressReportPrint.tenant.of(org).exists()
    assert not AuditEvent.objects.filter(action="reports.progress_reports_downloaded").exists()
