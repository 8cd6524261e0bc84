"""A minimal operations page: preview, off-schedule request, progress, certificate."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from yearend.audit.models import Via
from yearend.errors import ServiceError
from yearend.people.models import Role
from yearend.resets import calendar_link
from yearend.resets.offschedule import offschedule_request
from yearend.resets.selectors import latest_run, reset_preview, run_summary
from yearend.scoping import NotVisible, can_manage_organization, organization_for, organizations_for


def _organization(user, site_code: str):
    organization = organization_for(user, site_code)
    if not can_manage_organization(user, organization):
        raise NotVisible("No such organization")
    return organization


@login_required
def index(request):
    organizations = [
        o for o in organizations_for(request.user) if can_manage_organization(request.user, o)
    ]
    if not organizations:
        raise Http404("Nothing to show")
    rows = [(o, latest_run(o)) for o in organizations]
    return render(request, "resets/index.html", {"rows": rows})


@login_required
def organization_detail(request, site_code: str):
    organization = _organization(request.user, site_code)
    try:
        reset_date = calendar_link.reset_date_for(
            organization, calendar_link.cycle_for_today(organization)
        )
    except ServiceError:
        reset_date = None
    run = latest_run(organization)
    return render(
        request,
        "resets/organization.html",
        {
            "organization": organization,
            "preview": reset_preview(organization, reset_date=reset_date),
            "run": run,
            "summary": run_summary(run) if run else None,
            "may_start": request.user.role == Role.OPS,
        },
    )


@login_required
@require_POST
def start(request, site_code: str):
    """File an off-schedule reset request; nothing runs until a second operations user approves.

    The typed site code guards against requesting the wrong customer's reset, and the
    approval at /vendor/offschedule/ is the second pair of eyes.
    """
    organization = _organization(request.user, site_code)
    if request.user.role != Role.OPS:
        raise NotVisible("Only operations request off-schedule resets")
    if request.POST.get("confirm", "").strip() != organization.site_code:
        messages.error(
            request, f"Type the site code {organization.site_code} exactly to request its reset."
        )
        return redirect("resets:organization", site_code=organization.site_code)
    try:
        offschedule_request(
            organization=organization,
            reason=request.POST.get("reason", ""),
            acting_user=request.user,
            via=Via.PORTAL,
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Off-schedule reset of {organization.site_code} requested: a second operations "
            "user must approve it before anything is deleted.",
        )
    return redirect("resets:organization", site_code=organization.site_code)


@login_required
def certificate(request, site_code: str, kind: str):
    organization = _organization(request.user, site_code)
    run = latest_run(organization)
    path = ""
    if run is not None:
        path = run.certificate_pdf_path if kind == "pdf" else run.certificate_json_path
    if not path or not Path(path).is_file():
        raise Http404("No certificate yet")
    return FileResponse(
        Path(path).open("rb"),  # FileResponse closes it
        as_attachment=kind == "json",
        filename=Path(path).name,
        content_type="application/pdf" if kind == "pdf" else "application/json",
    )
