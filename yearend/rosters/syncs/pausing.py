"""Pausing and resuming an organization's roster syncs, and the running-import claim.

The reset engine calls ``sync_pause_for_reset`` before it deletes anything and
``sync_resume_after_reset`` when the reset is complete and verified. Importers call
``import_claim`` / ``import_release`` around every import. All transitions are single
conditional UPDATEs, so they are safe under retries, restarts and races.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.errors import Conflict, ServiceError
from yearend.organizations.models import Organization
from yearend.rosters.models import SyncState

# An import that has held its claim this long died with its worker: ignore the claim.
STALE_IMPORT_AFTER = timedelta(hours=2)


class SyncPaused(ServiceError):
    code = "sync_paused"


class ImportStillRunning(ServiceError):
    code = "import_running"


def sync_state_for(organization: Organization) -> SyncState:
    state, _ = SyncState.unscoped.get_or_create(organization=organization)
    return state


def _state_rows(organization: Organization):
    sync_state_for(organization)
    return SyncState.tenant.of(organization)


def sync_pause_reason(organization: Organization) -> str | None:
    """'reset' while a reset holds the syncs, 'manual' when paused by hand, else None."""
    state = sync_state_for(organization)
    if state.reset_paused_at:
        return "reset"
    if state.manual_paused_at:
        return "manual"
    return None


@transaction.atomic
def sync_pause_manual(
    *, organization: Organization, acting_user=None, note: str = "", via: str = Via.COMMAND
) -> SyncState:
    _state_rows(organization).filter(manual_paused_at__isnull=True).update(
        manual_paused_at=timezone.now(),
        manual_paused_by=getattr(acting_user, "username", "system"),
        manual_pause_note=note,
    )
    audit_record(
        action=AuditAction.SYNC_PAUSE,
        actor=acting_user,
        organization=organization,
        via=via,
        details={"reason": "manual"},
    )
    return sync_state_for(organization)


@transaction.atomic
def sync_resume_manual(
    *, organization: Organization, acting_user=None, via: str = Via.COMMAND
) -> SyncState:
    """Lift the manual pause. A reset's pause, if any, stays until the reset completes."""
    _state_rows(organization).update(
        manual_paused_at=None, manual_paused_by="", manual_pause_note=""
    )
    audit_record(
        action=AuditAction.SYNC_RESUME,
        actor=acting_user,
        organization=organization,
        via=via,
        details={"reason": "manual"},
    )
    return sync_state_for(organization)


def sync_pause_for_reset(
    *, organization: Organization, run_id: int, wait_seconds: float = 600, poll_seconds: float = 1.0
) -> None:
    """Pause for a reset, then wait until no import is running.

    Idempotent: pausing again for the same run changes nothing. Raises
    ``ImportStillRunning`` when an import still holds its claim after ``wait_seconds``;
    the pause stays in place, so calling again later simply waits again.
    """
    rows = _state_rows(organization)
    rows.filter(reset_paused_at__isnull=True).update(
        reset_paused_at=timezone.now(), reset_run_id=run_id
    )
    state = rows.get()
    if state.reset_run_id != run_id:
        raise Conflict(
            f"Syncs of {organization.site_code} are already paused by reset run "
            f"{state.reset_run_id}."
        )
    deadline = time.monotonic() + wait_seconds
    while _import_running(organization):
        if time.monotonic() >= deadline:
            raise ImportStillRunning(
                f"An import of {organization.site_code} is still running; the reset waits "
                "for it to finish."
            )
        time.sleep(poll_seconds)


def sync_resume_after_reset(*, organization: Organization, run_id: int) -> bool:
    """Lift the pause this reset run set. Idempotent; a manual pause is left alone."""
    lifted = (
        _state_rows(organization)
        .filter(reset_run_id=run_id)
        .update(reset_paused_at=None, reset_run_id=None)
    )
    return bool(lifted)


def _import_running(organization: Organization) -> bool:
    fresh = timezone.now() - STALE_IMPORT_AFTER
    return _state_rows(organization).filter(import_started_at__gte=fresh).exists()


def import_claim(organization: Organization) -> str:
    """Claim the right to run an import now; returns a token for ``import_release``.

    Refused while the syncs are paused (saying why) or while another import runs.
    """
    token = secrets.token_hex(16)
    now = timezone.now()
    claimed = (
        _state_rows(organization)
        .filter(manual_paused_at__isnull=True, reset_paused_at__isnull=True)
        .filter(
            Q(import_started_at__isnull=True) | Q(import_started_at__lt=now - STALE_IMPORT_AFTER)
        )
        .update(import_started_at=now, import_token=token)
    )
    if claimed:
        return token
    state = sync_state_for(organization)
    if state.reset_paused_at:
        raise SyncPaused(
            f"Roster imports of {organization.site_code} are paused while its school-year "
            "reset runs; they resume automatically when the reset is complete."
        )
    if state.manual_paused_at:
        raise SyncPaused(
            f"Roster imports of {organization.site_code} were paused by "
            f"{state.manual_paused_by or 'an administrator'} on "
            f"{state.manual_paused_at:%B %-d, %Y}; resume the sync to import."
        )
    raise ImportStillRunning(f"Another import of {organization.site_code} is running.")


def import_release(organization: Organization, token: str) -> None:
    _state_rows(organization).filter(import_token=token).update(
        import_started_at=None, import_token=""
    )
