from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from yearend import scoping
from yearend.portal import selectors
from yearend.resetdates.selectors import reset_date_for


@login_required
def home(request):
    organizations = scoping.organizations_for(request.user)
    if request.user.is_educator:
        return redirect("portal:organization", site_code=request.user.organization.site_code)
    return render(request, "portal/home.html", {"organizations": organizations[:500]})


@login_required
def organization_detail(request, site_code: str):
    organization = scoping.organization_for(request.user, site_code)
    summary = selectors.organization_summary(request.user, organization)
    return render(
        request,
        "portal/organization.html",
        {
            "organization": organization,
            "summary": summary,
            "reset_date": reset_date_for(organization),
            "can_manage": scoping.can_manage_organization(request.user, organization),
        },
    )
