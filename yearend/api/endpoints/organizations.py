"""The caller, their organizations and schools."""

from __future__ import annotations

from ninja import Router, Schema

from yearend.api.access import SiteCode, caller
from yearend.api.errors import ERROR_RESPONSES
from yearend.scoping import organization_for, organizations_for, schools_for

router = Router(tags=["organizations"])


class MeOut(Schema):
    username: str
    role: str
    organization: str | None
    token_scope: str | None


class SchoolOut(Schema):
    id: int
    name: str


class OrganizationOut(Schema):
    site_code: str
    name: str
    kind: str
    time_zone: str
    country: str
    subdivision: str


class OrganizationDetailOut(OrganizationOut):
    schools: list[SchoolOut]


def organization_out(organization) -> dict:
    return {
        "site_code": organization.site_code,
        "name": organization.name,
        "kind": organization.kind,
        "time_zone": organization.time_zone,
        "country": organization.country,
        "subdivision": organization.subdivision,
    }


@router.get("/me", response={200: MeOut, **ERROR_RESPONSES})
def me(request):
    """Who the API thinks you are, and what your token may do."""
    user = caller(request)
    token = getattr(request, "api_token", None)
    return {
        "username": user.username,
        "role": user.role,
        "organization": user.organization.site_code if user.organization_id else None,
        "token_scope": token.scope if token else None,
    }


@router.get("/organizations", response={200: list[OrganizationOut], **ERROR_RESPONSES})
def organizations_list(request):
    """The organizations you can see (vendor staff: all of them; see /vendor for filters)."""
    return [organization_out(o) for o in organizations_for(caller(request)).order_by("site_code")]


@router.get("/organizations/{site_code}", response={200: OrganizationDetailOut, **ERROR_RESPONSES})
def organization_detail(request, site_code: SiteCode):
    """One organization with the schools you can see in it."""
    organization = organization_for(caller(request), site_code)
    schools = schools_for(caller(request), organization).order_by("name", "pk")
    return {
        **organization_out(organization),
        "schools": [{"id": s.pk, "name": s.name} for s in schools],
    }
