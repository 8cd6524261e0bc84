"""Student Data Exports (start, status, download) and Student Progress reports."""

from __future__ import annotations

import tempfile
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import FileResponse
from ninja import Field, Router, Schema, Status

from yearend.api.access import ObjectId, OptionalId, SiteCode, caller, visible_organization
from yearend.api.errors import ERROR_RESPONSES
from yearend.audit.models import Via
from yearend.errors import InvalidInput, NotFound
from yearend.reports.models import ExportJob, Format
from yearend.reports.progress import write_progress_reports
from yearend.reports.selectors import progress_students
from yearend.reports.services import export_request, media_path
from yearend.reports.views import PROGRESS_MAX_STUDENTS
from yearend.scoping import can_manage_organization, school_for

router = Router(tags=["reports"])


class ExportIn(Schema):
    format: Format = Format.XLSX
    school_id: int | None = Field(None, ge=1, le=2**62)


class ExportOut(Schema):
    id: int
    site_code: str
    status: str
    format: str
    percent: int
    rows_done: int
    rows_total: int
    created_at: datetime
    expires_at: datetime | None
    download: str | None
    error: str
    log: list[dict[str, Any]]


def export_out(job: ExportJob) -> dict:
    return {
        "id": job.pk,
        "site_code": job.organization.site_code,
        "status": job.status,
        "format": job.format,
        "percent": job.percent,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "created_at": job.created_at,
        "expires_at": job.expires_at,
        "download": f"/api/v1/exports/{job.pk}/download"
        if job.status == ExportJob.Status.DONE
        else None,
        "error": job.error,
        "log": job.log,
    }


def _job(request, job_id: int) -> ExportJob:
    """The export, for whoever asked for it and those who manage its organization."""
    user = caller(request)
    job = ExportJob.unscoped.select_related("organization").filter(pk=job_id).first()
    if job is None or not (
        job.requested_by_id == user.pk or can_manage_organization(user, job.organization)
    ):
        raise NotFound(f"No export {job_id}.", field="job_id")
    return job


@router.post("/organizations/{site_code}/exports", response={202: ExportOut, **ERROR_RESPONSES})
def export_start(request, site_code: SiteCode, payload: ExportIn):
    """Queue a Student Data Export of the organization (or one school); poll its status."""
    organization = visible_organization(request, site_code)
    user = caller(request)
    school = school_for(user, organization, payload.school_id) if payload.school_id else None
    job = export_request(
        actor=user, organization=organization, school=school, fmt=payload.format, via=Via.API
    )
    job = ExportJob.unscoped.select_related("organization").get(pk=job.pk)
    return Status(202, export_out(job))


@router.get("/exports/{job_id}", response={200: ExportOut, **ERROR_RESPONSES})
def export_status(request, job_id: ObjectId):
    """Status and progress of an export; ``download`` is set once the file is ready."""
    return export_out(_job(request, job_id))


@router.get("/exports/{job_id}/download", response={200: None, **ERROR_RESPONSES})
def export_download(request, job_id: ObjectId):
    """The export's file (xlsx or csv), until it expires."""
    job = _job(request, job_id)
    if job.status != ExportJob.Status.DONE or not job.file_name:
        raise NotFound("The file is not ready or has expired.", field="job_id")
    path = media_path(job.file_name)
    if not path.is_file():
        raise NotFound("The file is not ready or has expired.", field="job_id")
    name = f"student-data-{job.organization.site_code}-{job.pk}.{job.format}"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


@router.get("/organizations/{site_code}/progress-reports", response={200: None, **ERROR_RESPONSES})
def progress_reports(
    request,
    site_code: SiteCode,
    school_id: OptionalId = None,
    class_id: OptionalId = None,
    student_id: OptionalId = None,
):
    """Student Progress reports (PDF) of the students you can see, narrowed by school,
    class or student."""
    organization = visible_organization(request, site_code)
    user = caller(request)
    students = progress_students(
        organization=organization,
        actor=user,
        school=school_for(user, organization, school_id) if school_id else None,
        class_id=class_id,
        student_id=student_id,
    )
    limit = getattr(settings, "REPORTS_PROGRESS_MAX_STUDENTS", PROGRESS_MAX_STUDENTS)
    if students.count() > limit:
        raise InvalidInput(
            f"More than {limit:,} students: choose a school or a class.",
            code="too_large",
            field="school_id",
        )
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    write_progress_reports(spool, organization=organization, students=students)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"progress-reports-{organization.site_code}.pdf",
        content_type="application/pdf",
    )
