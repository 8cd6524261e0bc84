"""Thin web adapters: ask for an export, watch it, download files, print progress reports.

Every object is looked up through the caller's reach; anything outside it is a 404.
"""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from yearend.audit.models import Via
from yearend.errors import Forbidden, NotFound, ServiceError
from yearend.reports.models import ExportJob, YearEndArchive
from yearend.reports.progress import write_progress_reports
from yearend.reports.selectors import progress_students
from yearend.reports.services import export_request, media_path
from yearend.scoping import can_manage_organization, organization_for, school_for

PROGRESS_MAX_STUDENTS = 5_000


def _error(error: ServiceError) -> JsonResponse:
    status = 403 if isinstance(error, Forbidden) else 404 if isinstance(error, NotFound) else 400
    return JsonResponse({"code": error.code, "message": error.message}, status=status)


def _int(value):
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        raise Http404("No such object") from None


def _job_for(user, job_id: int) -> ExportJob:
    job = ExportJob.unscoped.select_related("organization").filter(pk=job_id).first()
    if job is None or not (
        job.requested_by_id == user.pk or can_manage_organization(user, job.organization)
    ):
        raise Http404("No such export")
    return job


def _job_json(job: ExportJob) -> dict:
    return {
        "id": job.pk,
        "status": job.status,
        "percent": job.percent,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "expires_at": job.expires_at.isoformat() if job.expires_at else None,
        "download": reverse("reports:export-download", args=[job.pk])
        if job.status == ExportJob.Status.DONE
        else None,
        "error": job.error,
        "log": job.log,
    }


@login_required
@require_POST
def export_create(request, site_code: str):
    organization = organization_for(request.user, site_code)
    school_id = _int(request.POST.get("school"))
    school = school_for(request.user, organization, school_id) if school_id else None
    try:
        job = export_request(
            actor=request.user,
            organization=organization,
            school=school,
            fmt=request.POST.get("format", "xlsx"),
            via=Via.PORTAL,
        )
    except ServiceError as error:
        return _error(error)
    job.refresh_from_db()
    return JsonResponse(_job_json(job), status=202)


@login_required
@require_GET
def export_status(request, job_id: int):
    return JsonResponse(_job_json(_job_for(request.user, job_id)))


@login_required
@require_GET
def export_download(request, job_id: int):
    job = _job_for(request.user, job_id)
    if job.status != ExportJob.Status.DONE or not job.file_name:
        raise Http404("The file is not ready or has expired")
    name = f"student-data-{job.organization.site_code}-{job.pk}.{job.format}"
    file = open(media_path(job.file_name), "rb")  # noqa: SIM115 (FileResponse closes it)
    response = FileResponse(file, as_attachment=True, filename=name)
    ExportJob.unscoped.filter(pk=job.pk, downloaded_at__isnull=True).update(
        downloaded_at=timezone.now()
    )
    return response


@login_required
@require_GET
def archive_download(request, archive_id: int):
    archive = YearEndArchive.unscoped.select_related("organization").filter(pk=archive_id).first()
    if archive is None or not can_manage_organization(request.user, archive.organization):
        raise Http404("No such archive")
    if not archive.kept:
        raise Http404("The archive has been destroyed")
    name = f"year-end-archive-{archive.organization.site_code}-{archive.reset_run_id}.xlsx"
    return FileResponse(
        open(media_path(archive.file_name), "rb"), as_attachment=True, filename=name
    )


@login_required
@require_GET
def progress_pdf(request, site_code: str):
    organization = organization_for(request.user, site_code)
    school_id = _int(request.GET.get("school"))
    try:
        students = progress_students(
            organization=organization,
            actor=request.user,
            school=school_for(request.user, organization, school_id) if school_id else None,
            class_id=_int(request.GET.get("class")),
            student_id=_int(request.GET.get("student")),
        )
    except NotFound:
        raise Http404("No such selection") from None
    limit = getattr(settings, "REPORTS_PROGRESS_MAX_STUDENTS", PROGRESS_MAX_STUDENTS)
    if students.count() > limit:
        # A request thread is no place for a whole district's pages; the command is.
        return JsonResponse(
            {
                "code": "too_large",
                "message": f"More than {limit:,} students: choose a school or a class.",
            },
            status=400,
        )
    # Spooled: small PDFs stay in memory, a whole school goes to a temporary file.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    write_progress_reports(spool, organization=organization, students=students)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"progress-reports-{organization.site_code}.pdf",
        content_type="application/pdf",
    )
