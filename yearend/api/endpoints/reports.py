"""Student Data Exports (start, status, download) and Student Progress reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import FileResponse
from ninja import Field, Router, Schema, Status

from yearend import scoping
from yearend.api.access import ObjectId, OptionalId, SiteCode, caller
from yearend.api.errors import ERROR_RESPONSES
from yearend.audit.models import Via
from yearend.reports.models import ExportJob, Format
from yearend.reports.services import export_download as export_file
from yearend.reports.services import export_request, progress_reports_download

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


@router.post("/organizations/{site_code}/exports", response={202: ExportOut, **ERROR_RESPONSES})
def export_start(request, site_code: SiteCode, payload: ExportIn):
    """Queue a Student Data Export of the organization (or one school); poll its status."""
    user = caller(request)
    organization = scoping.organization_for(user, site_code)
    school = (
        scoping.school_for(user, organization, payload.school_id) if payload.school_id else None
    )
    scoping.export_scope_check(user=user, organization=organization, school=school)
    job = export_request(
        actor=user, organization=organization, school=school, fmt=payload.format, via=Via.API
    )
    job = ExportJob.unscoped.select_related("organization").get(pk=job.pk)
    return Status(202, export_out(job))


@router.get("/exports/{job_id}", response={200: ExportOut, **ERROR_RESPONSES})
def export_status(request, job_id: ObjectId):
    """Status and progress of an export; ``download`` is set once the file is ready."""
    return export_out(scoping.export_job_for(caller(request), job_id))


@router.get("/exports/{job_id}/download", response={200: None, **ERROR_RESPONSES})
def export_download(request, job_id: ObjectId):
    """The export's file (xlsx or csv), until it expires."""
    user = caller(request)
    job = scoping.export_job_for(user, job_id)
    download = export_file(job=job, actor=user, via=Via.API)
    return FileResponse(download.file, as_attachment=True, filename=download.name)


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
    user = caller(request)
    organization = scoping.organization_for(user, site_code)
    students = scoping.progress_students_for(
        user, organization, school_id=school_id, class_id=class_id, student_id=student_id
    )
    selection = {"school": school_id, "class": class_id, "student": student_id}
    download = progress_reports_download(
        organization=organization,
        students=students,
        actor=user,
        via=Via.API,
        selection={key: value for key, value in selection.items() if value is not None},
    )
    return FileResponse(download.file, as_attachment=True, filename=download.name)
