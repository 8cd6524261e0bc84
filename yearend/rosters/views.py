"""The roster pages moved to the portal's Syncs page; old links (in sent emails) still work."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from yearend.portal.access import managed_organization


@login_required
def organization_detail(request, site_code: str):
    # Same access rule as the page it points to: an outsider gets 404 here, not a redirect.
    organization = managed_organization(request.user, site_code)
    return redirect("portal:syncs", site_code=organization.site_code, permanent=True)
