"""Data: the Student Data Export, Student Progress reports, the year-end archive, certificates.

What each role gets follows the reports services: district administrators export the whole
organization or a school, school administrators their own schools, teachers print the
progress reports of their classes (they do not export; ``export_scope_check`` decides).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from yearend import scoping
from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.errors import ServiceError
from yearend.people.models import Role
from yearend.portal.access import is_htmx, visible_organization
from yearend.reports import views as report_views
from yearend.reports.models import ExportJob, YearEndArchive
from yearend.reports.services import export_request
from yearend.resets.models import ResetRun


def _may_export(user, organization) -> bool:
    return scoping.can_manage_organization(user, organization) or user.role == Role.SCHOOL_ADMIN


def _jobs_of(user, organization):
    jobs = ExportJob.tenant.of(organization).select_related("school", "requested_by")
    if not scoping.can_manage_organization(user, organization):
        jobs = jobs.filter(requested_by=user)
    return jobs.order_by("-created_at", "-id")


@login_required
@require_GET
def data_page(request, site_code: str):
    organization = visible_organization(request.user, site_code)
    can_manage = scoping.can_manage_organization(request.user, organization)
    context = {
        "organization": organization,
        "can_manage": can_manage,
        "may_export": _may_export(request.user, organization),
        "schools": scoping.schools_for(request.user, organization).order_by("name"),
        "classes": scoping.classes_for(request.user, organization)
        .select_related("school")
        .order_by("school__name", "name")
        if request.user.role == Role.TEACHER
        else [],
        "jobs": _jobs_of(request.user, organization)[:10],
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
    organization = visible_organization(request.user, site_code)
    school = None
    school_id = request.POST.get("school") or ""
    if school_id:
        if not school_id.isdigit():
            raise Http404("No such school")
        school = scoping.school_for(request.user, organization, int(school_id))
    try:
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
    organization = visible_organization(request.user, site_code)
    job = _jobs_of(request.user, organization).filter(pk=job_id).first()
    if job is None:
        raise Http404("No such export")
    return render(request, "portal/_export_job.html", {"job": job, "organization": organization})


@login_required
@require_GET
def progress_reports(request, site_code: str):
    """Student Progress reports (PDF), recorded so the home page knows they were printed."""
    organization = visible_organization(request.user, site_code)
    response = report_views.progress_pdf(request, site_code)
    if response.status_code == 200:
        audit_record(
            action=AuditAction.PROGRESS_REPORTS_DOWNLOADED,
            actor=request.user,
            organization=organization,
            via=Via.PORTAL,
            details={key: request.GET[key] for key in ("school", "class") if request.GET.get(key)},
        )
    return response
