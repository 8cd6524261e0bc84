"""Resets per organization for vendor staff: what a reset would delete now, the latest
run, and (operations) an off-schedule request."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from yearend.audit.models import Via
from yearend.errors import ServiceError
from yearend.people.models import Role
from yearend.resets import calendar_link
from yearend.resets.offschedule import offschedule_request
from yearend.resets.selectors import latest_run, reset_preview, run_summary
from yearend.scoping import organization_for, organizations_for, vendor_staff


@login_required
def resets(request):
    user = vendor_staff(request.user)
    rows = [(o, latest_run(o)) for o in organizations_for(user)]
    return render(request, "vendor/resets.html", {"rows": rows})


@login_required
def reset(request, site_code: str):
    user = vendor_staff(request.user)
    organization = organization_for(user, site_code)
    try:
        reset_date = calendar_link.reset_date_for(
            organization, calendar_link.cycle_for_today(organization)
        )
    except ServiceError:
        reset_date = None
    run = latest_run(organization)
    return render(
        request,
        "vendor/reset.html",
        {
            "organization": organization,
            "preview": reset_preview(organization, reset_date=reset_date),
            "run": run,
            "summary": run_summary(run) if run else None,
            "may_start": user.role == Role.OPS,
        },
    )


@login_required
@require_POST
def reset_request(request, site_code: str):
    """File an off-schedule reset request; nothing runs until a second operations user approves.

    The typed site code guards against requesting the wrong customer's reset, and the
    approval at /vendor/offschedule/ is the second pair of eyes.
    """
    user = vendor_staff(request.user, Role.OPS)
    organization = organization_for(user, site_code)
    if request.POST.get("confirm", "").strip() != organization.site_code:
        messages.error(
            request, f"Type the site code {organization.site_code} exactly to request its reset."
        )
        return redirect("vendor:reset", site_code=organization.site_code)
    try:
        offschedule_request(
            organization=organization,
            reason=request.POST.get("reason", ""),
            acting_user=user,
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
    return redirect("vendor:reset", site_code=organization.site_code)
