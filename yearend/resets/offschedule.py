"""Off-schedule resets: one operations user asks, a second one approves, then it runs.

A reset deletes a district's student data for good, so nobody starts one outside the
district's date alone. The rules are kept by the database, not by a check-then-act in
Python: one open request per organization (partial unique constraint), an approver who
is not the requester (check constraint), and one decision per request (a conditional
update ``WHERE status = 'pending'``), so two approvers clicking at once make one run.
The run itself is claimed by ``engine.reset_start``, which allows one run per organization
and cycle; an off-schedule run belongs to the calendar's current cycle and runs today.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.errors import Conflict, Forbidden, InvalidInput, NotFound
from yearend.organizations.models import Organization
from yearend.people.models import Role
from yearend.resets import calendar_link
from yearend.resets.dispatch import reset_start_in_background
from yearend.resets.models import OffScheduleRequest, RequestStatus, ResetRun, Status

MIN_REASON_LENGTH = 10


def _require_ops(user, action: str) -> None:
    if not (user and getattr(user, "is_active", False) and user.role == Role.OPS):
        raise Forbidden(f"Only operations staff may {action} an off-schedule reset.")


def _run_of_current_cycle(organization: Organization, now: datetime) -> ResetRun | None:
    cycle = calendar_link.cycle_for_today(organization, now)
    return ResetRun.tenant.of(organization).filter(cycle=cycle).first()


def _refuse_if_already_reset(organization: Organization, now: datetime) -> None:
    run = _run_of_current_cycle(organization, now)
    if run is None:
        return
    hint = " Resume the failed run instead." if run.status == Status.FAILED else ""
    raise Conflict(
        f"{organization.site_code} already has reset run {run.pk} ({run.status}) for the "
        f"{run.cycle.year} cycle; a cycle has one reset.{hint}"
    )


def offschedule_request(
    *,
    organization: Organization,
    reason: str,
    acting_user,
    via: str = Via.PORTAL,
    now: datetime | None = None,
) -> OffScheduleRequest:
    """Ask for an off-schedule reset of the organization; nothing runs until approved."""
    _require_ops(acting_user, "request")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise InvalidInput(
            f"Give a reason of at least {MIN_REASON_LENGTH} characters: the approver and "
            "the audit trail need to know why this district is reset outside its date.",
            field="reason",
        )
    now = now or timezone.now()
    _refuse_if_already_reset(organization, now)
    try:
        with transaction.atomic():
            request = OffScheduleRequest.unscoped.create(
                organization=organization,
                reason=reason,
                requested_by=acting_user,
                requested_at=now,
            )
            audit_record(
                action=AuditAction.OFFSCHEDULE_REQUEST,
                actor=acting_user,
                organization=organization,
                via=via,
                details={"request_id": request.pk},
            )
    except IntegrityError:
        open_request = (
            OffScheduleRequest.tenant.of(organization).filter(status=RequestStatus.PENDING).first()
        )
        raise Conflict(
            f"{organization.site_code} already has an open off-schedule request"
            + (
                f" ({open_request.pk}, by {open_request.requested_by.username})"
                if open_request
                else ""
            )
            + "; approve or reject it first.",
            field="organization",
        ) from None
    return request


def _decide(request: OffScheduleRequest, acting_user, status: str, note: str, now) -> None:
    """The one decision a request gets: a conditional update on ``status = 'pending'``."""
    decided = (
        OffScheduleRequest.tenant.of(request.organization_id)
        .filter(pk=request.pk, status=RequestStatus.PENDING)
        .update(status=status, decided_by=acting_user, decided_at=now, decision_note=note)
    )
    if not decided:
        current = OffScheduleRequest.unscoped.select_related("decided_by").get(pk=request.pk)
        who = current.decided_by.username if current.decided_by else "someone"
        raise Conflict(
            f"Off-schedule request {request.pk} was already {current.status} by {who}; "
            "nothing was changed."
        )


def offschedule_approve(
    *,
    request: OffScheduleRequest,
    acting_user,
    via: str = Via.PORTAL,
    now: datetime | None = None,
) -> ResetRun:
    """Approve as the second operations user and start the run (today, current cycle).

    Approval, the run's claim and both audit rows commit together; the run's first task
    is queued on commit, so a refused approval leaves the request open and nothing runs.
    """
    _require_ops(acting_user, "approve")
    if request.requested_by_id == acting_user.pk:
        raise Forbidden(
            f"You asked for off-schedule request {request.pk} yourself; a second operations "
            "user must approve it.",
            field="request",
        )
    now = now or timezone.now()
    organization = request.organization
    with transaction.atomic():
        _decide(request, acting_user, RequestStatus.APPROVED, "", now)
        _refuse_if_already_reset(organization, now)
        run, created = reset_start_in_background(
            organization=organization, acting_user=acting_user, via=via, now=now
        )
        if not created:  # a run claimed between our check and the claim: refuse, roll back
            raise Conflict(
                f"{organization.site_code} was reset meanwhile (run {run.pk}); nothing was started."
            )
        OffScheduleRequest.tenant.of(organization).filter(pk=request.pk).update(run=run)
        audit_record(
            action=AuditAction.OFFSCHEDULE_APPROVE,
            actor=acting_user,
            organization=organization,
            via=via,
            details={
                "request_id": request.pk,
                "run_id": run.pk,
                "requested_by": request.requested_by.username,
            },
        )
    request.refresh_from_db()
    return run


def offschedule_reject(
    *,
    request: OffScheduleRequest,
    acting_user,
    note: str = "",
    via: str = Via.PORTAL,
    now: datetime | None = None,
) -> OffScheduleRequest:
    """Reject (or, by the requester, withdraw) an open request; nothing runs."""
    _require_ops(acting_user, "reject")
    now = now or timezone.now()
    with transaction.atomic():
        _decide(request, acting_user, RequestStatus.REJECTED, (note or "").strip(), now)
        audit_record(
            action=AuditAction.OFFSCHEDULE_REJECT,
            actor=acting_user,
            organization=request.organization,
            via=via,
            details={
                "request_id": request.pk,
                "withdrawn": request.requested_by_id == acting_user.pk,
            },
        )
    request.refresh_from_db()
    return request


def offschedule_request_by_id(request_id: int) -> OffScheduleRequest:
    """For the command and the operations pages, which see every organization."""
    try:
        return OffScheduleRequest.unscoped.select_related("organization", "requested_by").get(
            pk=request_id
        )
    except (OffScheduleRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"No off-schedule request {request_id}.") from None
