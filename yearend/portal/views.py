"""The portal's overview pages: home, what the reset will do, the reset as it runs, history.

Views are thin: scope the organization (yearend.scoping), read through selectors,
render. Writes live in the other view modules, each calling one service.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from yearend import scoping
from yearend.audit.models import Via
from yearend.errors import NotFound
from yearend.people.models import Role
from yearend.portal import selectors
from yearend.portal.downloads import certificate_response
from yearend.resets.downloads import certificate_download
from yearend.resets.models import STEP_ORDER, ResetRun, SchoolPurge, Status, Step
from yearend.resets.selectors import latest_run, reset_preview


@login_required
def home(request):
    if request.user.is_educator:
        return redirect("portal:organization", site_code=request.user.organization.site_code)
    organizations = scoping.organizations_for(request.user).order_by("site_code")
    return render(request, "portal/home.html", {"organizations": organizations[:500]})


@login_required
@require_GET
def organization_detail(request, site_code: str):
    """Home of an organization: the reset date and what to do before it, by role."""
    organization = scoping.organization_for(request.user, site_code)
    can_manage = scoping.can_manage_organization(request.user, organization)
    date_view = selectors.reset_date_view(organization)
    context = {
        "organization": organization,
        "summary": selectors.organization_summary(request.user, organization),
        "date": date_view,
        "reset_date": date_view.record,
        "can_manage": can_manage,
        "is_district_admin": request.user.role == Role.DISTRICT_ADMIN and can_manage,
    }
    if can_manage:  # the reset's state and the steps are theirs only
        run = latest_run(organization)
        if run is not None and date_view.cycle and run.cycle_id == date_view.cycle.pk:
            run.cycle = date_view.cycle  # the page names the run's cycle: the one just read
        context["run"] = run
        context["manager"] = selectors.manager_view(organization, date_view.cycle)
    if request.user.role == Role.TEACHER:
        context["classes"] = scoping.classes_for(request.user, organization).order_by("name")
        # A teacher's numbers are their classes' and students', not their schools'.
        context["own_counts"] = {
            "classes": context["classes"].count(),
            "students": scoping.students_for(request.user, organization).count(),
        }
    return render(request, "portal/organization.html", context)


@login_required
@require_GET
def what_will_happen(request, site_code: str):
    """The seed's deleted / retained table, with this organization's live counts."""
    organization = scoping.managed_organization(request.user, site_code)
    date_view = selectors.reset_date_view(organization)
    preview = reset_preview(
        organization, reset_date=date_view.record and date_view.record.reset_date
    )
    return render(
        request,
        "portal/what_will_happen.html",
        {
            "organization": organization,
            "date": date_view,
            "deleted": selectors.deleted_rows(preview),
            "retained": selectors.retained_rows(preview),
            "schools": preview["schools"],
        },
    )


def _run_context(organization, run: ResetRun | None) -> dict:
    if run is None:
        return {"organization": organization, "run": None}
    purges = (
        SchoolPurge.tenant.of(organization)
        .filter(run=run)
        .select_related("school")
        .order_by("school__name")
    )
    current = STEP_ORDER.index(run.step) if run.step in STEP_ORDER else 0
    steps = []
    for index, value in enumerate(STEP_ORDER):
        if value in (Step.CLAIM, Step.DONE):
            continue
        if run.status == Status.SUCCEEDED or index < current:
            state = "done"
        elif index == current:
            state = "failed" if run.status == Status.FAILED else "running"
        else:
            state = "waiting"
        steps.append({"label": Step(value).label, "state": state})
    return {
        "organization": organization,
        "run": run,
        "steps": steps,
        "purges": purges,
        "live": run.status == Status.RUNNING,
    }


@login_required
@require_GET
def reset_page(request, site_code: str):
    """During the reset: live progress per step and per school. Afterwards: history."""
    organization = scoping.managed_organization(request.user, site_code)
    context = _run_context(organization, latest_run(organization))
    context["history"] = (
        ResetRun.tenant.of(organization).select_related("cycle").order_by("-started_at", "-id")
    )
    return render(request, "portal/reset.html", context)


@login_required
@require_GET
def reset_progress(request, site_code: str):
    """The live part of the reset page, polled by htmx while the run is running."""
    organization = scoping.managed_organization(request.user, site_code)
    return render(
        request, "portal/_reset_progress.html", _run_context(organization, latest_run(organization))
    )


@login_required
@require_GET
def run_certificate(request, site_code: str, run_id: int, kind: str):
    """The deletion certificate of any past run of the organization (PDF or JSON)."""
    organization = scoping.managed_organization(request.user, site_code)
    run = scoping.run_for(request.user, run_id, organization=organization)
    try:
        path = certificate_download(run=run, kind=kind, actor=request.user, via=Via.PORTAL)
    except NotFound:
        raise Http404("No certificate for this run") from None
    return certificate_response(path, kind)
