"""Roster syncs of one organization: status, pause/resume, runs, and held imports to review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from yearend.audit.models import Via
from yearend.errors import ServiceError
from yearend.rosters.models import HeldImport
from yearend.rosters.pausing import sync_pause_manual, sync_resume_manual, sync_state_for
from yearend.rosters.selectors import (
    import_runs_of,
    latest_roster_school_year,
    pending_holds_of,
)
from yearend.rosters.services import held_import_approve, held_import_discard
from yearend.scoping import NotVisible, can_manage_organization, organization_for


def _organization(user, site_code: str):
    organization = organization_for(user, site_code)
    if not can_manage_organization(user, organization):
        raise NotVisible("No such organization")
    return organization


@login_required
def organization_detail(request, site_code: str):
    organization = _organization(request.user, site_code)
    return render(
        request,
        "rosters/organization.html",
        {
            "organization": organization,
            "state": sync_state_for(organization),
            "school_year": latest_roster_school_year(organization),
            "runs": import_runs_of(organization)[:25],
            "holds": pending_holds_of(organization).select_related("run"),
        },
    )


@login_required
@require_POST
def pause(request, site_code: str):
    organization = _organization(request.user, site_code)
    if request.POST.get("action") == "resume":
        sync_resume_manual(organization=organization, acting_user=request.user, via=Via.PORTAL)
        messages.success(request, "Syncs resumed (a reset's pause, if any, stays).")
    else:
        sync_pause_manual(organization=organization, acting_user=request.user, via=Via.PORTAL)
        messages.success(request, "Syncs paused.")
    return redirect("rosters:organization", site_code=site_code)


@login_required
@require_POST
def decide(request, site_code: str, hold_id: int):
    organization = _organization(request.user, site_code)
    try:
        held = HeldImport.tenant.of(organization).get(pk=hold_id)
    except HeldImport.DoesNotExist:
        raise NotVisible("No such held import") from None
    try:
        if request.POST.get("decision") == "approve":
            run = held_import_approve(held=held, acting_user=request.user)
            messages.success(request, f"Applied: {run.message}")
        else:
            held_import_discard(held=held, acting_user=request.user)
            messages.success(request, "Discarded; nothing was changed.")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("rosters:organization", site_code=site_code)
