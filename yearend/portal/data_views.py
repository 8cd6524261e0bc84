"""Data: the Student Data Export, Student Progress reports, the year-end archive, certificates.

What each role gets is scoping's decision: district administrators export the whole
organization or a school, school administrators their own schools, teachers print the
progress reports of their classes (they do not export; ``scoping.export_scope_check``).
Every file handed out is recorded by the service that hands it out.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from yearend import scoping
from yearend.audit.models import Via
from yearend.errors import NotFound, ServiceError
from yearend.people.models import Role
from yearend.portal.htmx import is_htmx
from yearend.reports.archive import archive_download
from yearend.reports.models import YearEndArchive
from yearend.reports.services import export_download, export_request, progress_reports_download
from yearend.resets.models import ResetRun


def _id(value: str | None) -> int | None:
    """An id from the query string or a form; anything else names nothing (404)."""
    if not value:
        return None
    if not value.isdigit():
        raise Http404("No such object")
    return int(value)


@login_required
@require_GET
def data_page(request, site_code: str):
    organization = scoping.organization_for(request.user, site_code)
    can_manage = scoping.can_manage_organization(request.user, organization)
    jobs = scoping.export_jobs_for(request.user, organization).select_related(
        "school", "requested_by"
    )
    context = {
        "organization": organization,
        "can_manage": can_manage,
        "may_export": scoping.can_export(request.user, organization),
        "schools": scoping.schools_for(request.user, organization).order_by("name"),
        "classes": scoping.classes_for(request.user, organization)
        .select_related("school")
        .order_by("school__name", "name")
        if request.user.role == Role.TEACHER
        else [],
        "jobs": jobs.order_by("-created_at", "-id")[:10],
    }
    if can_manage:
        context["archives"] = YearEndArchive.tenant.of(organization).order_by("-created_at")
        context["certified_runs"] = (
            ResetRun.tenant.of(organization)
            .exclude(certificate_pdf_path="")
            .select_related("cycle")
            .order_by("-started_at")
        )
    return render(request, "portal/data.html", context)


@login_required
@require_POST
def export_start(request, site_code: str):
    organization = scoping.organization_for(request.user, site_code)
    school_id = _id(request.POST.get("school"))
    school = scoping.school_for(request.user, organization, school_id) if school_id else None
    try:
        scoping.export_scope_check(user=request.user, organization=organization, school=school)
        job = export_request(
            actor=request.user,
            organization=organization,
            school=school,
            fmt=request.POST.get("format", "xlsx"),
            via=Via.PORTAL,
        )
    except ServiceError as error:
        if is_htmx(request):
            # 200, not 400: htmx swaps only successful responses, and the refusal must show.
            return render(
                request,
                "portal/_export_job.html",
                {"error": error.message, "organization": organization},
            )
        messages.error(request, error.message)
        return redirect("portal:data", site_code=organization.site_code)
    if is_htmx(request):
        job.refresh_from_db()
        return render(
            request, "portal/_export_job.html", {"job": job, "organization": organization}
        )
    messages.success(request, "The export has started; it appears below when it is ready.")
    return redirect("portal:data", site_code=organization.site_code)


@login_required
@require_GET
def export_job(request, site_code: str, job_id: int):
    """One export's progress, polled by htmx until it is done or failed."""
    organization = scoping.organization_for(request.user, site_code)
    job = scoping.export_jobs_for(request.user, organization).filter(pk=job_id).first()
    if job is None:
        raise Http404("No such export")
    return render(request, "portal/_export_job.html", {"job": job, "organization": organization})


@login_required
@require_GET
def export_file(request, job_id: int):
    """The export's file, for whoever asked for it and those who manage the organization."""
    job = scoping.export_job_for(request.user, job_id)
    try:
        download = export_download(job=job, actor=request.user, via=Via.PORTAL)
    except NotFound:
        raise Http404("The file is not ready or has expired") from None
    return FileResponse(download.file, as_attachment=True, filename=download.name)


@login_required
@require_GET
def archive_file(request, archive_id: int):
    """The year-end archive, while it is kept; linked from the reset-completed email."""
    archive = scoping.archive_for(request.user, archive_id)
    try:
        download = archive_download(archive=archive, actor=request.user, via=Via.PORTAL)
    except NotFound:
        raise Http404("The archive has been destroyed") from None
    return FileResponse(download.file, as_attachment=True, filename=download.name)


@login_required
@require_GET
def progress_reports(request, site_code: str):
    """Student Progress reports (PDF) of a school, class or student, recorded as printed."""
    organization = scoping.organization_for(request.user, site_code)
    selection = {
        key: value
        for key in ("school", "class", "student")
        if (value := _id(request.GET.get(key))) is not None
    }
    try:
        students = scoping.progress_students_for(
            request.user,
            organization,
            school_id=selection.get("school"),
            class_id=selection.get("class"),
            student_id=selection.get("student"),
        )
    except NotFound:
        raise Http404("No such selection") from None
    try:
        download = progress_reports_download(
            organization=organization,
            students=students,
            actor=request.user,
            via=Via.PORTAL,
            selection=selection,
        )
    except ServiceError as error:  # too many students for one request: the message says why
        return JsonResponse({"code": error.code, "message": error.message}, status=400)
    return FileResponse(download.file, as_attachment=True, filename=download.name)
