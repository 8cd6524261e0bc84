"""Who may open which portal page. Every lookup goes through yearend.scoping.

An organization outside the user's reach, or a page the user's role does not have, is a
404 (``NotVisible``): an outsider cannot even learn that the organization exists.
"""

from __future__ import annotations

from yearend.organizations.models import Organization
from yearend.people.models import Role
from yearend.scoping import NotVisible, can_manage_organization, organization_for


def visible_organization(user, site_code: str) -> Organization:
    """Any page an educator of the organization (or vendor staff) may open."""
    organization = organization_for(user, site_code)
    if user.organization_id == organization.pk:
        # The page's header names the user's own organization: the row just read, not a
        # second query for the same one.
        user.organization = organization
    return organization


def managed_organization(user, site_code: str) -> Organization:
    """Pages of district administrators of the organization (vendor staff read them too)."""
    organization = visible_organization(user, site_code)
    if not can_manage_organization(user, organization):
        raise NotVisible("No such organization")
    return organization


def district_admin_organization(user, site_code: str) -> Organization:
    """Pages only a district administrator of the organization acts on (the date page)."""
    organization = managed_organization(user, site_code)
    if user.role != Role.DISTRICT_ADMIN:
        raise NotVisible("No such page")
    return organization


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"
