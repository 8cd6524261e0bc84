"""One roster import's steps: read the bundle, validate it into the staging tables,
compare it with the database, then hold it for review or apply it, and record how the
run ended. ``yearend.rosters.services.roster_import`` creates the run and holds the
import's claim around these steps.
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
from yearend.errors import ServiceError
from yearend.organizations.models import Organization
from yearend.rosters.importer.apply import plan_apply
from yearend.rosters.importer.fingerprint import is_full_snapshot, roster_fingerprint
from yearend.rosters.importer.plan import known_for, plan_build
from yearend.rosters.importer.preview import import_preview
from yearend.rosters.importer.safety import hold_reasons
from yearend.rosters.models import HeldImport, ImportRun
from yearend.rosters.oneroster.bundle import Bundle, bundle_read
from yearend.rosters.staging.stage import roster_stage
from yearend.rosters.staging.tables import staging
from yearend.rosters.syncs.held_bundles import held_bundle_store, held_bundle_zipped

logger = logging.getLogger(__name__)
MAX_RECORDED = 1000  # errors and notices kept on a run; the count says how many more

Status = ImportRun.Status


def run_steps(
    run: ImportRun,
    organization: Organization,
    path: str | Path | None,
    bundle: Bundle | None,
    dry_run: bool,
    force: bool,
    acting_user,
    progress: Callable[[str], None] | None,
) -> None:
    """Take ``run`` (its claim held, unless a dry run) through every step, and finish it."""
    step = progress or (lambda stage: None)
    step("reading")
    try:
        if bundle is None:
            bundle = bundle_read(path)
    except ServiceError as error:
        run_finish(
            run, Status.REFUSED, errors=[error.message], message="The bundle cannot be read."
        )
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
    roster = roster_stage(bundle, known_for(organization))
    run.school_year = roster.school_year or ""
    run.notices = roster.notices
    if roster.errors:
        run_finish(run, Status.REFUSED, errors=roster.errors, message=_refused(roster.error_count))
        return
    step("comparing")
    organization.refresh_from_db(fields=["student_epoch"])
    plan = plan_build(organization, roster)
    run.counts = plan.counts()
    run.student_epoch = plan.epoch
    if plan.errors:
        run_finish(run, Status.REFUSED, errors=plan.errors, message=_refused(len(plan.errors)))
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
        run_finish(run, Status.HELD, message="Held for review: " + "; ".join(reasons))
        return
    if dry_run:
        run_finish(run, Status.WOULD_APPLY, message="Dry run: nothing was written.")
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
        run_finish(run, Status.REFUSED, errors=[message], message=message)
        return
    run_finish(run, Status.APPLIED, message="Applied." if not plan.is_empty else "Nothing changed.")


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
    run_finish(
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


def run_finish(run: ImportRun, status: str, *, errors=None, message: str = "") -> ImportRun:
    """Record how ``run`` ended, outside any transaction of the import's."""
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
