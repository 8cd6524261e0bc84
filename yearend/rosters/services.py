"""Roster imports' entry points: importing a bundle, deciding on a held import, and the
automated syncs that import each drop folder's new bundle.

Every import runs between ``import_claim`` and ``import_release``, so a reset's pause
waits for it and no import starts while a reset runs. The run record is written
outside the apply transaction, so a refusal or crash is recorded while the roster
itself is untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.errors import Conflict, ServiceError
from yearend.organizations.models import Organization
from yearend.rosters.importer.run import run_finish, run_steps
from yearend.rosters.models import HeldImport, ImportRun, SyncSource
from yearend.rosters.oneroster.bundle import Bundle, bundle_read
from yearend.rosters.syncs.held_bundles import held_bundle_delete, held_bundle_opened
from yearend.rosters.syncs.pausing import (
    ImportStillRunning,
    SyncPaused,
    import_claim,
    import_release,
    sync_pause_reason,
)
from yearend.rosters.syncs.sources import newest_bundle, sync_source_is_due

logger = logging.getLogger(__name__)


class ImportRefused(ServiceError):
    code = "import_refused"
    exit_code = 1


class ImportHeld(ServiceError):
    code = "import_held"
    exit_code = 3


Status = ImportRun.Status


def roster_import(
    *,
    organization: Organization,
    path: str | Path | None = None,
    bundle: Bundle | None = None,
    source: str = ImportRun.Source.UPLOAD,
    dry_run: bool = False,
    force: bool = False,
    acting_user=None,
    progress: Callable[[str], None] | None = None,
) -> ImportRun:
    """Import one bundle into ``organization`` and return the run record.

    ``force`` skips the safety holds: only approving a hold uses it.
    """
    run = ImportRun.unscoped.create(
        organization=organization,
        source=source,
        path=str(path or ""),
        dry_run=dry_run,
        started_at=timezone.now(),
        started_by=getattr(acting_user, "username", "") or "system",
    )
    token = None
    try:
        if not dry_run:
            try:
                token = import_claim(organization)
            except (SyncPaused, ImportStillRunning) as error:
                status = Status.SKIPPED if source == ImportRun.Source.SYNC else Status.REFUSED
                return run_finish(run, status, message=error.message)
        run_steps(run, organization, path, bundle, dry_run, force, acting_user, progress)
        return run
    except Exception as error:
        logger.exception("roster import %s failed", run.pk)
        run_finish(run, Status.REFUSED, message=f"The import failed unexpectedly: {error}")
        raise
    finally:
        if token:
            import_release(organization, token)


def held_import_approve(*, held: HeldImport, acting_user, via: str = Via.PORTAL) -> ImportRun:
    """Apply a held bundle as it is now compared with the database."""
    if held.decision != HeldImport.Decision.PENDING:
        raise Conflict(f"This held import was already {held.get_decision_display().lower()}.")
    held.organization.refresh_from_db(fields=["student_epoch"])
    if held.run.student_epoch not in (None, held.organization.student_epoch):
        # Approval skips the safety checks: it must not bring last year's roster back.
        raise Conflict(
            "This import was held before the school-year reset and would bring last year's "
            "roster back; discard it. The next sync is checked afresh."
        )
    with held_bundle_opened(held) as bundle:
        run = roster_import(
            organization=held.organization,
            bundle=bundle,
            path=held.run.path,
            source=ImportRun.Source.APPROVAL,
            force=True,
            acting_user=acting_user,
        )
    if run.status != Status.APPLIED:
        raise ImportRefused(run.message)
    with transaction.atomic():
        if _decided(held, HeldImport.Decision.APPROVED, _by(acting_user)):
            # Applied: its bundle (student names among it) has served its purpose.
            held_bundle_delete(held)
            audit_record(
                action=AuditAction.ROSTER_HOLD_APPROVE,
                actor=acting_user,
                organization=held.organization,
                via=via,
                details={"hold": held.pk, "run": run.pk},
            )
    return run


def held_imports_discard_for_reset(*, organization: Organization, run_id: int) -> int:
    """Discard the organization's pending holds as its reset begins; returns how many.

    A held bundle is last year's roster, students' names included: the reset deletes
    student data, and approving it afterwards would bring that roster back. Idempotent:
    a resumed reset finds none pending.
    """
    pending = list(
        HeldImport.tenant.of(organization)
        .filter(decision=HeldImport.Decision.PENDING)
        .only("id", "organization_id")
    )
    for held in pending:
        with transaction.atomic():
            if _decided(held, HeldImport.Decision.DISCARDED, f"reset run {run_id}"):
                held_bundle_delete(held)
                audit_record(
                    action=AuditAction.ROSTER_HOLD_DISCARD,
                    organization=organization,
                    via=Via.SYSTEM,
                    details={"hold": held.pk, "reset_run": run_id},
                )
    return len(pending)


@transaction.atomic
def held_import_discard(*, held: HeldImport, acting_user, via: str = Via.PORTAL) -> None:
    if not _decided(held, HeldImport.Decision.DISCARDED, _by(acting_user)):
        raise Conflict("This held import was already decided.")
    held_bundle_delete(held)
    audit_record(
        action=AuditAction.ROSTER_HOLD_DISCARD,
        actor=acting_user,
        organization=held.organization,
        via=via,
        details={"hold": held.pk},
    )


def _decided(held: HeldImport, decision: str, by: str) -> bool:
    """Record the decision on a hold still pending; False when it was already decided
    (two reviewers, or a reset, got there first)."""
    return bool(
        HeldImport.tenant.of(held.organization_id)
        .filter(pk=held.pk, decision=HeldImport.Decision.PENDING)
        .update(decision=decision, decided_by=by, decided_at=timezone.now())
    )


def _by(acting_user) -> str:
    return getattr(acting_user, "username", "system")


def sync_source_check(source: SyncSource) -> ImportRun | None:
    """Import the newest bundle of the source's drop folder if it is new; returns the run,
    or None. The bundle's digest is remembered, so a bundle is imported once; one that
    arrives while syncs are paused is recorded as skipped, and imported after the pause is
    lifted."""
    organization: Organization = source.organization
    now = timezone.now()
    SyncSource.tenant.of(organization).filter(pk=source.pk).update(last_checked_at=now)
    path = newest_bundle(Path(source.folder))
    if path is None:
        return None
    try:
        bundle = bundle_read(path)
    except ServiceError:
        bundle = None
    digest = bundle.digest if bundle is not None else f"unreadable:{path.name}"
    if digest == source.last_digest:
        return None
    reason = sync_pause_reason(organization)
    if reason is not None:
        already = (
            ImportRun.tenant.of(organization)
            .filter(status=ImportRun.Status.SKIPPED, digest=digest)
            .exists()
        )
        if already:
            return None
    run = roster_import(
        organization=organization, path=path, bundle=bundle, source=ImportRun.Source.SYNC
    )
    if run.status == ImportRun.Status.SKIPPED:
        ImportRun.tenant.of(organization).filter(pk=run.pk).update(digest=digest)
    else:
        SyncSource.tenant.of(organization).filter(pk=source.pk).update(last_digest=digest)
    return run


def sync_sources_check_all() -> int:
    """Check every enabled sync source that is due; one failing organization does not stop
    the rest. Returns how many were checked."""
    checked = 0
    now = timezone.now()
    for source in SyncSource.unscoped.filter(enabled=True).select_related("organization"):
        if not sync_source_is_due(source, now):
            continue  # its schedule says later
        try:
            sync_source_check(source)
        except Exception:
            logger.exception("roster sync of %s failed", source.organization.site_code)
        checked += 1
    return checked
