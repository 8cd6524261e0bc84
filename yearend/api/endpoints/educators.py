"""Educator clean-up: candidates who may have left, and removing several at once."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Field, Query, Router, Schema

from yearend import scoping
from yearend.api.access import MAX_ID, SiteCode, caller
from yearend.api.errors import ERROR_RESPONSES
from yearend.audit.models import Via
from yearend.rosters.educator_cleanup import (
    MAX_REMOVALS_PER_REQUEST,
    cleanup_candidates,
    educators_remove,
)

router = Router(tags=["educators"])


class CandidateOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    role: str
    last_login: datetime | None
    reasons: list[str]


class RemoveIn(Schema):
    educator_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        ..., min_length=1, max_length=MAX_REMOVALS_PER_REQUEST
    )


class RemoveOut(Schema):
    removed: list[int]


@router.get(
    "/organizations/{site_code}/educators/cleanup-candidates",
    response={200: list[CandidateOut], **ERROR_RESPONSES},
)
def candidates(
    request,
    site_code: SiteCode,
    not_signed_in_days: Annotated[int | None, Query(ge=1, le=3660)] = None,
    missing_from_roster: bool = True,
):
    """Active educators missing from the SIS roster and/or not signed in for N days."""
    organization = scoping.managed_organization(caller(request), site_code)
    return [
        {
            "id": c.educator.pk,
            "username": c.educator.username,
            "first_name": c.educator.first_name,
            "last_name": c.educator.last_name,
            "role": c.educator.role,
            "last_login": c.educator.last_login,
            "reasons": c.reasons,
        }
        for c in cleanup_candidates(
            organization,
            not_signed_in_days=not_signed_in_days,
            missing_from_roster=missing_from_roster,
        )
    ]


@router.post(
    "/organizations/{site_code}/educators/remove", response={200: RemoveOut, **ERROR_RESPONSES}
)
def remove(request, site_code: SiteCode, payload: RemoveIn):
    """Remove (deactivate) educators of the organization, all or nothing."""
    organization = scoping.managed_organization(caller(request), site_code)
    removed = educators_remove(
        organization=organization,
        educator_ids=payload.educator_ids,
        acting_user=caller(request),
        via=Via.API,
    )
    return {"removed": removed}
