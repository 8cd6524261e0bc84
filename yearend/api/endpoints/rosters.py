"""Roster syncs: status, pause and resume, upload a bundle, held imports to review."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from yearend import scoping
from yearend.api.access import ObjectId, SiteCode, caller
from yearend.api.errors import ERROR_RESPONSES
from yearend.api.uploads import roster_upload
from yearend.audit.models import Via
from yearend.errors import InvalidInput, NotFound
from yearend.rosters.models import HeldImport, ImportRun
from yearend.rosters.oneroster.bundle import bundle_from_upload
from yearend.rosters.selectors import import_runs_of, latest_roster_school_year, pending_holds_of
from yearend.rosters.services import held_import_approve, held_import_discard
from yearend.rosters.syncs.pausing import sync_pause_manual, sync_resume_manual, sync_state_for

router = Router(tags=["roster syncs"])

MAX_BUNDLE_BYTES = 200 * 1024 * 1024


class SyncOut(Schema):
    site_code: str
    paused: bool
    pause_reason: str | None
    manual_paused_at: datetime | None
    manual_paused_by: str
    manual_pause_note: str
    reset_paused_at: datetime | None
    import_running: bool
    latest_school_year: str | None
    pending_holds: int


class PauseIn(Schema):
    note: str = Field("", max_length=500)


class ImportOut(Schema):
    id: int
    organization: str
    source: str
    dry_run: bool
    status: str
    started_at: str
    finished_at: str | None
    duration_seconds: float | None
    school_year: str | None
    counts: dict[str, Any]
    errors: list[str]
    notices: list[str]
    message: str


class HoldOut(Schema):
    id: int
    run_id: int
    decision: str
    reasons: list[str]
    created_at: datetime
    decided_by: str
    decided_at: datetime | None


class HoldDetailOut(HoldOut):
    preview: dict[str, Any]


def sync_out(organization) -> dict:
    state = sync_state_for(organization)
    return {
        "site_code": organization.site_code,
        "paused": state.is_paused,
        "pause_reason": "reset"
        if state.reset_paused_at
        else "manual"
        if state.manual_paused_at
        else None,
        "manual_paused_at": state.manual_paused_at,
        "manual_paused_by": state.manual_paused_by,
        "manual_pause_note": state.manual_pause_note,
        "reset_paused_at": state.reset_paused_at,
        "import_running": state.import_started_at is not None,
        "latest_school_year": latest_roster_school_year(organization),
        "pending_holds": pending_holds_of(organization).count(),
    }


def import_out(run: ImportRun) -> dict:
    data = run.as_dict()
    data.pop("path", None)  # a server path
    return data


def hold_out(hold: HeldImport, *, with_preview: bool = False) -> dict:
    data = {
        "id": hold.pk,
        "run_id": hold.run_id,
        "decision": hold.decision,
        "reasons": hold.reasons,
        "created_at": hold.created_at,
        "decided_by": hold.decided_by,
        "decided_at": hold.decided_at,
    }
    if with_preview:
        data["preview"] = hold.preview
    return data


def _hold(organization, hold_id: int) -> HeldImport:
    hold = (
        HeldImport.tenant.of(organization)
        .select_related("organization", "run")
        .defer("bundle")  # a hold stored before HeldBundlePart has its whole .zip there
        .filter(pk=hold_id)
        .first()
    )
    if hold is None:
        raise NotFound(f"No held import {hold_id}.", field="hold_id")
    return hold


@router.get("/organizations/{site_code}/sync", response={200: SyncOut, **ERROR_RESPONSES})
def sync_status(request, site_code: SiteCode):
    """Whether roster syncs run, are paused (by hand or by a reset), and what waits for review."""
    return sync_out(scoping.managed_organization(caller(request), site_code))


@router.post("/organizations/{site_code}/sync/pause", response={200: SyncOut, **ERROR_RESPONSES})
def sync_pause(request, site_code: SiteCode, payload: PauseIn):
    """Pause the organization's roster syncs until resumed by hand."""
    organization = scoping.managed_organization(caller(request), site_code)
    sync_pause_manual(
        organization=organization, acting_user=caller(request), note=payload.note, via=Via.API
    )
    return sync_out(organization)


@router.post("/organizations/{site_code}/sync/resume", response={200: SyncOut, **ERROR_RESPONSES})
def sync_resume(request, site_code: SiteCode):
    """Lift the manual pause; a running reset's pause stays until the reset completes."""
    organization = scoping.managed_organization(caller(request), site_code)
    sync_resume_manual(organization=organization, acting_user=caller(request), via=Via.API)
    return sync_out(organization)


@router.get(
    "/organizations/{site_code}/imports", response={200: list[ImportOut], **ERROR_RESPONSES}
)
def imports_list(request, site_code: SiteCode):
    """The latest 50 roster imports, newest first."""
    organization = scoping.managed_organization(caller(request), site_code)
    return [
        import_out(run) for run in import_runs_of(organization).select_related("organization")[:50]
    ]


@router.post("/organizations/{site_code}/imports", response={200: ImportOut, **ERROR_RESPONSES})
def import_upload(
    request,
    site_code: SiteCode,
    bundle: File[UploadedFile],
    dry_run: Form[bool] = False,
):
    """Import a OneRoster CSV bundle (.zip). A bulk change past the safety thresholds is
    held for review (status ``held``); a broken bundle is refused with its errors."""
    organization = scoping.managed_organization(caller(request), site_code)
    if bundle.size is not None and bundle.size > MAX_BUNDLE_BYTES:
        raise InvalidInput(
            f"The bundle is larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB.", field="bundle"
        )
    # A big upload is read from the temporary file Django spooled it to, not into memory.
    parsed = bundle_from_upload(bundle)
    run = roster_upload(
        organization=organization,
        bundle=parsed,
        name=(bundle.name or "upload.zip")[:200],
        dry_run=dry_run,
        acting_user=caller(request),
    )
    run.organization = organization
    return import_out(run)


@router.get(
    "/organizations/{site_code}/held-imports", response={200: list[HoldOut], **ERROR_RESPONSES}
)
def holds_list(request, site_code: SiteCode):
    """Held imports waiting for a decision."""
    organization = scoping.managed_organization(caller(request), site_code)
    return [hold_out(h) for h in pending_holds_of(organization).order_by("-created_at", "-id")]


@router.get(
    "/organizations/{site_code}/held-imports/{hold_id}",
    response={200: HoldDetailOut, **ERROR_RESPONSES},
)
def hold_detail(request, site_code: SiteCode, hold_id: ObjectId):
    """Why the import was held and what it would add, change and remove."""
    return hold_out(
        _hold(scoping.managed_organization(caller(request), site_code), hold_id), with_preview=True
    )


@router.post(
    "/organizations/{site_code}/held-imports/{hold_id}/approve",
    response={200: ImportOut, **ERROR_RESPONSES},
)
def hold_approve(request, site_code: SiteCode, hold_id: ObjectId):
    """Apply the held bundle as it compares with the roster now."""
    hold = _hold(scoping.managed_organization(caller(request), site_code), hold_id)
    run = held_import_approve(held=hold, acting_user=caller(request), via=Via.API)
    run.organization = hold.organization
    return import_out(run)


@router.post(
    "/organizations/{site_code}/held-imports/{hold_id}/discard",
    response={200: HoldOut, **ERROR_RESPONSES},
)
def hold_discard(request, site_code: SiteCode, hold_id: ObjectId):
    """Discard the held bundle; nothing is changed."""
    hold = _hold(scoping.managed_organization(caller(request), site_code), hold_id)
    held_import_discard(held=hold, acting_user=caller(request), via=Via.API)
    return hold_out(_hold(hold.organization, hold.pk))
