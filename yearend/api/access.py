"""What every endpoint asks first: who is calling, and may they see or change this?

Lookups go through yearend.scoping, so an object outside the caller's reach is a 404
(whether or not it exists); a visible object the caller's role may not change is a 403.
"""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Query

from yearend.errors import Forbidden
from yearend.organizations.models import Organization
from yearend.people.models import VENDOR_ROLES, Role, User
from yearend.scoping import can_manage_organization, organization_for


def caller(request: HttpRequest) -> User:
    return request.auth  # set by yearend.api.auth


def visible_organization(request: HttpRequest, site_code: str) -> Organization:
    return organization_for(caller(request), site_code)


def managed_organization(request: HttpRequest, site_code: str) -> Organization:
    """The organization, for its district administrators and vendor staff only."""
    organization = visible_organization(request, site_code)
    if not can_manage_organization(caller(request), organization):
        raise Forbidden(
            f"Only district administrators of {organization.site_code} and vendor staff "
            "may do this.",
            field="site_code",
        )
    return organization


def require_vendor(request: HttpRequest) -> User:
    user = caller(request)
    if user.role not in VENDOR_ROLES:
        raise Forbidden("Only customer-success managers and operations may do this.")
    return user


def require_ops(request: HttpRequest) -> User:
    user = caller(request)
    if user.role != Role.OPS:
        raise Forbidden("Only operations may do this.")
    return user


# Bounds on what a client may put in a path or query, so nonsense is a 422 naming the
# field rather than a database error (SQLite integers stop at 2**63).
MAX_ID = 2**62
SiteCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,32}$")]
ObjectId = Annotated[int, Path(ge=1, le=MAX_ID)]
CycleYear = Annotated[int | None, Query(ge=2000, le=2200)]
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
