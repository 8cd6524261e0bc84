"""Roster imports: validate, compare, hold or apply, and record the run.

Every import runs between ``import_claim`` and ``import_release``, so a reset's pause
waits for it and no import starts while a reset runs. The run record is written
outside the apply transaction, so a refusal or crash is recorded while the roster
itself is untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.bulk import large_write_cache
from yearend.errors import Conflict, ServiceError
from yearend.organizations.models import Organization
from yearend.rosters.apply import plan_apply
from yearend.rosters.fingerprint import is_full_snapshot, roster_fingerprint
from yearend.rosters.held_bundles import (
    held_bundle_delete,
    held_bundle_opened,
    held_bundle_store,
    held_bundle_zipped,
)
from yearend.rosters.models import HeldImport, ImportRun
from yearend.rosters.oneroster.bundle import Bundle, bundle_read
from yearend.rosters.oneroster.validate import roster_validate
from yearend.rosters.pausing import ImportStillRunning, SyncPaused, import_claim, import_release
from yearend.rosters.plan import known_for, plan_build
from yearend.rosters.preview import import_preview
from yearend.rosters.safety import hold_reasons
from yearend.rosters.staging import staging

logger = logging.getLogger(__name__)
MAX_RECORDED = 1000  # errors and notices kept on a run; the count says how many more


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
                return _finish(run, status, message=error.message)
        _run(run, organization, path, bundle, dry_run, force, acting_user, progress)
        return run
    except Exception as error:
        logger.exception("roster import %s failed", run.pk)
        _finish(run, Status.REFUSED, message=f"The import failed unexpectedly: {error}")
        raise
    finally:
        if token:
            import_release(organization, token)


def _run(run, organization, path, bundle, dry_run, force, acting_user, progress) -> None:
    step = progress or (lambda stage: None)
    step("reading")
    try:
        if bundle is None:
            bundle = bundle_read(path)
    except ServiceError as error:
        _finish(run, Status.REFUSED, errors=[error.message], message="The bundle cannot be read.")
        return
    run.digest = bundle.digest
    if not (dry_run or force) and _unchanged_since_last_import(run, organization, acting_user):
        return
    step("validating")
    # Students and enrollments go to staging tables of this connection, for the
    # database to check, compare and apply: memory stays one chunk of rows.
    with staging():
        _validate_and_apply(run, organization, bundle, dry_run, force, acting_user, step)


def _validate_and_apply(run, organization, bundle, dry_run, force, acting_user, step) -> None:
    roster = roster_validate(bundle, known_for(organization))
    run.school_year = roster.school_year or ""
    run.notices = roster.notices
    if roster.errors:
        _finish(run, Status.REFUSED, errors=roster.errors, message=_refused(roster.error_count))
        return
    step("comparing")
    organization.refresh_from_db(fields=["student_epoch"])
    plan = plan_build(organization, roster)
    run.counts = plan.counts()
    run.student_epoch = plan.epoch
    if plan.errors:
        _finish(run, Status.REFUSED, errors=plan.errors, message=_refused(len(plan.errors)))
        return
    reasons = [] if force else hold_reasons(organization, roster, plan)
    if reasons:
        if not dry_run:
            preview = import_preview(organization, roster, plan)
            with held_bundle_zipped(bundle) as zipped, transaction.atomic():
                held = HeldImport.unscoped.create(
                    organization=organization,
                    run=run,
                    reasons=reasons,
                    preview=preview,
                    digest=bundle.digest,
                )
                held_bundle_store(held, zipped)
        _finish(run, Status.HELD, message="Held for review: " + "; ".join(reasons))
        return
    if dry_run:
        _finish(run, Status.WOULD_APPLY, message="Dry run: nothing was written.")
        return
    try:
        with large_write_cache(), transaction.atomic():
            plan_apply(organization, roster, plan, progress=step)
            if is_full_snapshot(roster) and roster.users_rows:
                # What this import left, for a re-import of the same bundle to compare with.
                run.fingerprint = roster_fingerprint(organization, plan.epoch)
            _audit_import(run, organization, acting_user)
    except IntegrityError as error:
        message = (
            "The roster conflicts with accounts already stored (for example two accounts "
            f"would share a username); nothing was changed. ({str(error).splitlines()[0]})"
        )
        _finish(run, Status.REFUSED, errors=[message], message=message)
        return
    _finish(run, Status.APPLIED, message="Applied." if not plan.is_empty else "Nothing changed.")


def _unchanged_since_last_import(run: ImportRun, organization: Organization, acting_user) -> bool:
    """Finish ``run`` as "nothing changed" when its bundle is the one the organization's
    last applied import read and the database still holds exactly what that import left.

    The last import's decisions then hold as they were: it found no errors, and a plan
    with nothing to change raises no hold (its users.csv had rows; its school year was
    compared with a run of the current epoch, which the fingerprint covers).
    """
    last = (
        ImportRun.tenant.of(organization)
        .filter(status=Status.APPLIED)
        .order_by("-finished_at", "-id")
        .first()
    )
    if last is None or not last.fingerprint or last.digest != run.digest:
        return False
    organization.refresh_from_db(fields=["student_epoch"])
    if last.student_epoch != organization.student_epoch:
        return False
    fingerprint = roster_fingerprint(organization, organization.student_epoch)
    if fingerprint != last.fingerprint:
        return False
    run.fingerprint = fingerprint
    run.school_year = last.school_year
    run.student_epoch = last.student_epoch
    run.notices = list(last.notices)
    run.counts = _counts_after(last.counts)
    _audit_import(run, organization, acting_user)
    _finish(
        run,
        Status.APPLIED,
        message=f"Nothing changed: the same bundle as import {last.pk}, and the roster in "
        "the database is as it left it.",
    )
    return True


def _counts_after(counts: dict) -> dict:
    """The counts a full comparison would find after the import that recorded ``counts``."""
    after = {}
    for kind, c in counts.items():
        existing = c.get("existing", 0) + c.get("added", 0)
        existing += c.get("changed", 0) if kind == "schools" else -c.get("removed", 0)
        after[kind] = {"existing": existing, "added": 0, "changed": 0, "removed": 0}
    return after


def _refused(count: int) -> str:
    return f"Refused: {count:,} error(s); nothing was changed."


def _audit_import(run: ImportRun, organization: Organization, acting_user) -> None:
    """The audit row of an applied import, whether it changed rows or found nothing to."""
    audit_record(
        action=AuditAction.ROSTER_IMPORT,
        actor=acting_user,
        organization=organization,
        via=Via.SYSTEM if run.source == ImportRun.Source.SYNC else Via.COMMAND,
        details={"run": run.pk, "counts": run.counts, "school_year": run.school_year},
    )


def _finish(run: ImportRun, status: str, *, errors=None, message: str = "") -> ImportRun:
    run.status = status
    run.finished_at = timezone.now()
    if errors is not None:
        run.errors = _capped(errors)
    run.notices = _capped(run.notices)
    run.message = message
    try:
        run.save()
    except DatabaseError:
        # The import's own transaction failed on PostgreSQL; record the run afresh.
        logger.exception("could not record roster import run %s", run.pk)
    return run


def _capped(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_RECORDED:
        return list(lines)
    return [*lines[:MAX_RECORDED], f"... and {len(lines) - MAX_RECORDED:,} more"]


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
