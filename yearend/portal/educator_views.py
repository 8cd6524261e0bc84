"""Educator clean-up: filter candidates, select several, confirm, remove (educator_cleanup)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from yearend import scoping
from yearend.audit.models import Via
from yearend.errors import ServiceError
from yearend.people.models import EDUCATOR_ROLES, User
from yearend.rosters.educator_cleanup import (
    cleanup_candidates,
    educators_remove,
    latest_applied_roster_run,
)

DEFAULT_DAYS = 180


def _filters(data) -> tuple[int | None, bool, str | None]:
    """(days, missing_from_roster, error) from the query string; the first visit shows both."""
    if "filtered" not in data:
        return DEFAULT_DAYS, True, None
    missing = data.get("missing") == "on"
    days_text = (data.get("days") or "").strip()
    if data.get("idle") != "on" or not days_text:
        return None, missing, None
    if not days_text.isdigit():
        return None, missing, "The number of days must be a whole number."
    return int(days_text), missing, None


@login_required
@require_GET
def educators_page(request, site_code: str):
    organization = scoping.managed_organization(request.user, site_code)
    days, missing, error = _filters(request.GET)
    candidates = []
    if error is None:
        try:
            candidates = cleanup_candidates(
                organization, not_signed_in_days=days, missing_from_roster=missing
            )
        except ServiceError as refusal:
            error = refusal.message
    return render(
        request,
        "portal/educators.html",
        {
            "organization": organization,
            "candidates": candidates,
            "days": days if days is not None else request.GET.get("days", DEFAULT_DAYS),
            "idle": days is not None,
            "missing": missing,
            "error": error,
            "roster_applied": latest_applied_roster_run(organization) is not None,
            "me": request.user.pk,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def educators_remove_view(request, site_code: str):
    """Step 1 (``confirm`` absent): show who would be removed. Step 2: remove them."""
    organization = scoping.managed_organization(request.user, site_code)
    ids = [i for i in request.POST.getlist("educator") if i.isdigit()]
    if not ids:
        messages.error(request, "Choose at least one educator to remove.")
        return redirect("portal:educators", site_code=organization.site_code)
    if request.POST.get("confirm") != "yes":
        chosen = User.objects.filter(
            organization=organization,
            role__in=[r.value for r in EDUCATOR_ROLES],
            is_active=True,
            pk__in=ids,
        ).order_by("last_name", "first_name", "username")
        return render(
            request,
            "portal/educators_confirm.html",
            {"organization": organization, "chosen": chosen, "asked": len(set(ids))},
        )
    try:
        removed = educators_remove(
            organization=organization,
            educator_ids=[int(i) for i in ids],
            acting_user=request.user,
            via=Via.PORTAL,
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Removed {len(removed)} educator(s). They can no longer sign in; "
            "the removal is recorded in the audit trail.",
        )
    return redirect("portal:educators", site_code=organization.site_code)
