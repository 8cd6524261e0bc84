"""Syncs: status and history of roster imports, held imports to approve or discard, pause.

The only roster page: the old ``/rosters/<site>/`` address redirects here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from yearend import scoping
from yearend.audit.models import Via
from yearend.errors import ServiceError
from yearend.rosters.models import HeldImport, SyncSource
from yearend.rosters.selectors import import_runs_of, latest_roster_school_year, pending_holds_of
from yearend.rosters.services import held_import_approve, held_import_discard
from yearend.rosters.syncs.pausing import sync_pause_manual, sync_resume_manual, sync_state_for


@login_required
@require_GET
def syncs_page(request, site_code: str):
    organization = scoping.managed_organization(request.user, site_code)
    return render(
        request,
        "portal/syncs.html",
        {
            "organization": organization,
            "state": sync_state_for(organization),
            "source": SyncSource.tenant.of(organization).first(),
            "school_year": latest_roster_school_year(organization),
            "runs": import_runs_of(organization)[:25],
            "holds": pending_holds_of(organization).select_related("run").order_by("created_at"),
        },
    )


@login_required
@require_POST
def syncs_pause(request, site_code: str):
    organization = scoping.managed_organization(request.user, site_code)
    if request.POST.get("action") == "resume":
        sync_resume_manual(organization=organization, acting_user=request.user, via=Via.PORTAL)
        messages.success(request, "Syncs resumed (a reset's pause, if any, stays until it ends).")
    else:
        note = (request.POST.get("note") or "").strip()[:500]
        sync_pause_manual(
            organization=organization, acting_user=request.user, note=note, via=Via.PORTAL
        )
        messages.success(request, "Syncs paused. They stay paused until you resume them.")
    return redirect("portal:syncs", site_code=organization.site_code)


@login_required
@require_POST
def hold_decide(request, site_code: str, hold_id: int):
    organization = scoping.managed_organization(request.user, site_code)
    held = HeldImport.tenant.of(organization).defer("bundle").filter(pk=hold_id).first()
    if held is None:
        raise scoping.NotVisible("No such held import")
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            run = held_import_approve(held=held, acting_user=request.user, via=Via.PORTAL)
            messages.success(request, f"Approved and applied: {run.message}")
        elif decision == "discard":
            held_import_discard(held=held, acting_user=request.user, via=Via.PORTAL)
            messages.success(request, "Discarded; nothing was changed.")
        else:
            messages.error(request, "Choose approve or discard.")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("portal:syncs", site_code=organization.site_code)
