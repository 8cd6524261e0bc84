"""Addresses that moved into the portal: emails already sent and bookmarks keep working.

Each old address asks the same access question as the page it points to, so an
outsider gets a 404 here rather than a redirect that confirms the organization exists.
Where the new page depends on who asks (vendor staff have their own pages) or on the
day (the latest run), the permanent redirect is not cached.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache

from yearend import scoping
from yearend.people.models import VENDOR_ROLES, Role
from yearend.resets.selectors import latest_run


@login_required
def roster_page(request, site_code: str):
    """/rosters/<site>/: the roster pages became the Syncs page."""
    organization = scoping.managed_organization(request.user, site_code)
    return redirect("portal:syncs", site_code=organization.site_code, permanent=True)


@login_required
def progress_pdf(request, site_code: str):
    """/reports/<site>/progress.pdf: the progress reports of the Data page."""
    organization = scoping.organization_for(request.user, site_code)
    url = reverse("portal:progress-reports", args=[organization.site_code])
    query = request.META.get("QUERY_STRING")
    return redirect(f"{url}?{query}" if query else url, permanent=True)


@never_cache
@login_required
def resets_index(request):
    """/resets/: every organization's reset for vendor staff; an educator's home."""
    if request.user.role in VENDOR_ROLES:
        return redirect("vendor:resets", permanent=True)
    return redirect("portal:home", permanent=True)


@never_cache
@login_required
def reset_page(request, site_code: str):
    """/resets/<site>/: vendor staff's reset page; for a district, what the reset will do."""
    organization = scoping.managed_organization(request.user, site_code)
    if request.user.role in VENDOR_ROLES:
        return redirect("vendor:reset", site_code=organization.site_code, permanent=True)
    return redirect("portal:preview", site_code=organization.site_code, permanent=True)


@never_cache
@login_required
def reset_request(request, site_code: str):
    """/resets/<site>/start/: operations now ask from the vendor reset page."""
    organization = scoping.managed_organization(request.user, site_code)
    scoping.vendor_staff(request.user, Role.OPS)
    return redirect("vendor:reset", site_code=organization.site_code, permanent=True)


@never_cache
@login_required
def latest_certificate(request, site_code: str, kind: str):
    """/resets/<site>/certificate.pdf (the reset-completed email): the latest run's."""
    organization = scoping.managed_organization(request.user, site_code)
    run = latest_run(organization)
    if run is None:
        raise scoping.NotVisible("No certificate yet")
    return redirect(
        "portal:run-certificate",
        site_code=organization.site_code,
        run_id=run.pk,
        kind=kind,
        permanent=True,
    )
