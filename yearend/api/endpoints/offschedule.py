"""Off-schedule resets for operations: one user asks, a second approves, then it runs.

The API starts no reset on one person's word: the two-person rule of
``yearend.resets.offschedule`` applies here exactly as in the portal and the command.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Router, Schema, Status

from yearend import scoping
from yearend.api.access import ObjectId, SiteCode, caller
from yearend.api.endpoints.resets import RunOut, run_out
from yearend.api.errors import ERROR_RESPONSES
from yearend.audit.models import Via
from yearend.resets.models import OffScheduleRequest, ResetRun
from yearend.resets.offschedule import (
    offschedule_approve,
    offschedule_reject,
    offschedule_request,
    offschedule_request_by_id,
)

router = Router(tags=["vendor"])


class OffScheduleIn(Schema):
    reason: str = Field(..., max_length=2000)


class DecisionIn(Schema):
    note: str = Field("", max_length=2000)


class OffScheduleOut(Schema):
    id: int
    site_code: str
    status: str
    reason: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    run_id: int | None


def request_out(request: OffScheduleRequest) -> dict:
    return {
        "id": request.pk,
        "site_code": request.organization.site_code,
        "status": request.status,
        "reason": request.reason,
        "requested_by": request.requested_by.username,
        "requested_at": request.requested_at,
        "decided_by": request.decided_by.username if request.decided_by else None,
        "decided_at": request.decided_at,
        "decision_note": request.decision_note,
        "run_id": request.run_id,
    }


def _load(request_id: int) -> OffScheduleRequest:
    found = offschedule_request_by_id(request_id)
    return OffScheduleRequest.unscoped.select_related(
        "organization", "requested_by", "decided_by"
    ).get(pk=found.pk)


@router.get("/vendor/offschedule-requests", response={200: list[OffScheduleOut], **ERROR_RESPONSES})
def offschedule_list(request, status: Literal["pending", "approved", "rejected"] | None = None):
    """Off-schedule reset requests, newest first (open ones: ``status=pending``)."""
    scoping.vendor_staff(caller(request))
    requests = OffScheduleRequest.unscoped.select_related(
        "organization", "requested_by", "decided_by"
    ).order_by("-requested_at", "-id")
    if status:
        requests = requests.filter(status=status)
    return [request_out(r) for r in requests[:200]]


@router.post(
    "/vendor/organizations/{site_code}/offschedule-requests",
    response={201: OffScheduleOut, **ERROR_RESPONSES},
)
def offschedule_ask(request, site_code: SiteCode, payload: OffScheduleIn):
    """Ask for an off-schedule reset of the organization (operations); nothing runs until
    a second operations user approves."""
    user = scoping.vendor_staff(caller(request))
    created = offschedule_request(
        organization=scoping.organization_for(user, site_code),
        reason=payload.reason,
        acting_user=user,
        via=Via.API,
    )
    return Status(201, request_out(_load(created.pk)))


@router.post(
    "/vendor/offschedule-requests/{request_id}/approve",
    response={202: RunOut, **ERROR_RESPONSES},
)
def offschedule_approve_and_start(request, request_id: ObjectId):
    """Approve as the second operations user: the reset starts now."""
    scoping.vendor_staff(caller(request))
    run = offschedule_approve(request=_load(request_id), acting_user=caller(request), via=Via.API)
    run = ResetRun.unscoped.select_related("organization", "cycle").get(pk=run.pk)
    return Status(202, run_out(run))


@router.post(
    "/vendor/offschedule-requests/{request_id}/reject",
    response={200: OffScheduleOut, **ERROR_RESPONSES},
)
def offschedule_decline(request, request_id: ObjectId, payload: DecisionIn):
    """Reject the request (or withdraw your own); nothing runs."""
    scoping.vendor_staff(caller(request))
    offschedule_reject(
        request=_load(request_id), acting_user=caller(request), note=payload.note, via=Via.API
    )
    return request_out(_load(request_id))
