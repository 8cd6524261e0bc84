"""The reset engine: claim, pause, snapshot, cut-over, purge, verify, certify, resume.

Every step is idempotent and every transition is a conditional update on the run row
(``WHERE step = <the step we just finished>``), so any number of workers, retries and
restarts converge on the end state an uninterrupted run reaches. ``reset_advance`` is
the only driver; tasks, commands and the tick all call it.
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.errors import Conflict, InvalidInput, ServiceError
from yearend.organizations.models import Organization, School
from yearend.resetdates.models import ResetCycle
from yearend.resets import calendar_link, concurrency
from yearend.resets.certificates import sign, write_certificate
from yearend.resets.hooks import certificate_sections, snapshot_hooks
from yearend.resets.models import STEP_ORDER, ResetRun, SchoolPurge, Status, Step
from yearend.resets.plan import category, execute_guarded, purge_plan
from yearend.resets.selectors import _old_rows, delete_counts, reset_preview, retain_counts
from yearend.rosters.services import held_imports_discard_for_reset
from yearend.rosters.syncs.pausing import sync_pause_for_reset, sync_resume_after_reset
from yearend.tenancy import models_deleted_by_reset

logger = logging.getLogger(__name__)

# Roots (students or classes) per purge batch. Unset (the default), the size is steered
# so each batch, one transaction, takes about BATCH_SECONDS (see BatchSizer).
_FIXED_BATCH = os.environ.get("RESET_PURGE_BATCH_SIZE", "")
BATCH_SIZE = int(_FIXED_BATCH) if _FIXED_BATCH else None
BATCH_SECONDS = float(os.environ.get("RESET_PURGE_BATCH_SECONDS", "0.4"))
FIRST_BATCH, MIN_BATCH, MAX_BATCH = 50, 10, 20_000
HEARTBEAT_SECONDS = 5.0
IMPORT_WAIT_SECONDS = float(os.environ.get("RESET_IMPORT_WAIT_SECONDS", "600"))
WAIT = object()


class VerificationFailed(ServiceError):
    code = "verification_failed"


# --------------------------------------------------------------------------- claim


def reset_start(
    *,
    organization: Organization,
    cycle: ResetCycle | None = None,
    acting_user=None,
    via: str = Via.SYSTEM,
    confirm_site_code: str | None = None,
    now: datetime | None = None,
    advance: bool = True,
) -> tuple[ResetRun, bool]:
    """Claim the organization's reset for the cycle; returns (run, created).

    The unique (organization, cycle) constraint decides who wins a race: everyone else
    gets the existing run back, and nothing is started twice.
    """
    if confirm_site_code is not None and confirm_site_code.strip() != organization.site_code:
        raise InvalidInput(
            f"The confirmation {confirm_site_code!r} does not match the site code "
            f"{organization.site_code}; nothing was started.",
            field="confirm",
        )
    now = now or timezone.now()
    cycle = cycle or calendar_link.cycle_for_today(organization, now)
    reset_date = calendar_link.reset_date_for(organization, cycle)
    existing = ResetRun.tenant.of(organization).filter(cycle=cycle).first()
    if existing is not None:
        return existing, False
    # Counted before the claim's transaction: on SQLite a transaction holds the write lock.
    preview = reset_preview(organization, reset_date=reset_date)
    try:
        with transaction.atomic():
            run = ResetRun.unscoped.create(
                organization=organization,
                cycle=cycle,
                step=Step.PAUSE,
                started_by=getattr(acting_user, "username", None) or "system",
                via=via,
                reset_date=reset_date,
                started_at=now,
                step_started_at=now,
                heartbeat_at=now,
                preview=preview,
                log=[
                    _entry(Step.CLAIM, f"claimed by {getattr(acting_user, 'username', 'system')}")
                ],
            )
            calendar_link.reset_date_lock(organization=organization, cycle=cycle)
            audit_record(
                action=AuditAction.RESET_START,
                actor=acting_user,
                organization=organization,
                via=via,
                details={"run_id": run.pk, "cycle": cycle.year},
            )
    except IntegrityError:
        run = ResetRun.tenant.of(organization).get(cycle=cycle)
        return run, False
    if advance:
        _enqueue_advance(run.pk)
    return run, True


def reset_resume(
    *, run: ResetRun, acting_user=None, via: str = Via.COMMAND, wait: bool = True
) -> ResetRun:
    """Continue a failed run from its failed step; continue a stalled running run.

    ``wait=False`` hands the rest of the run to the workers (web and API requests must not
    hold a district's purge); the command line waits, as its operator expects.
    """
    if run.status == Status.SUCCEEDED:
        raise Conflict(f"Reset run {run.pk} has already succeeded.")
    with transaction.atomic():
        ResetRun.tenant.of(run.organization_id).filter(pk=run.pk, status=Status.FAILED).update(
            status=Status.RUNNING, error="", attempts=F("attempts") + 1, heartbeat_at=timezone.now()
        )
        audit_record(
            action=AuditAction.RESET_RESUME,
            actor=acting_user,
            organization=run.organization,
            via=via,
            details={"run_id": run.pk, "step": run.step},
        )
    _log(run.pk, run.step, f"resumed by {getattr(acting_user, 'username', None) or 'system'}")
    if not wait:
        _enqueue_advance(run.pk)
        return ResetRun.unscoped.get(pk=run.pk)
    return reset_advance(run.pk, inline=True)


def _enqueue_advance(run_id: int) -> None:
    from yearend.resets.tasks import reset_advance_task

    transaction.on_commit(lambda: reset_advance_task.enqueue(run_id))


# --------------------------------------------------------------------------- driver


def reset_advance(run_id: int, *, inline: bool = False) -> ResetRun:
    """Run the current step and the following ones until done, failed or waiting.

    ``inline`` purges the schools in this process (``reset_run --wait``, ``resume``)
    instead of handing them to the workers as one task per school.
    """
    for _ in range(len(STEP_ORDER) * 2):
        run = ResetRun.unscoped.select_related("organization", "cycle").get(pk=run_id)
        if run.status != Status.RUNNING or run.step == Step.DONE:
            return run
        step = run.step
        try:
            outcome = (
                _step_purge(run, inline=True)
                if inline and step == Step.PURGE
                else (_STEPS[step](run))
            )
        except Exception as error:
            _fail(run, step, error)
            return ResetRun.unscoped.get(pk=run_id)
        if outcome is WAIT:
            return run
        _transition(run, step, STEP_ORDER[STEP_ORDER.index(step) + 1])
    return ResetRun.unscoped.get(pk=run_id)


def _entry(step: str, message: str) -> dict:
    return {"at": timezone.now().isoformat(), "step": str(step), "message": message}


def _log(run_id: int, step: str, message: str) -> None:
    with transaction.atomic():
        run = ResetRun.unscoped.select_for_update().get(pk=run_id)
        run.log = [*run.log, _entry(step, message)]
        run.save(update_fields=["log"])


def _transition(run: ResetRun, step: str, following: str) -> bool:
    now = timezone.now()
    with transaction.atomic():
        moved = ResetRun.tenant.of(run.organization_id).filter(
            pk=run.pk, step=step, status=Status.RUNNING
        )
        changes = {"step": following, "step_started_at": now, "heartbeat_at": now}
        if following == Step.DONE:
            changes.update(status=Status.SUCCEEDED, finished_at=now)
        if not moved.update(**changes):
            return False  # another worker got there first
        _log(run.pk, step, f"{step} done")
        audit_record(
            action=AuditAction.reset_step_done(step),
            organization=run.organization,
            details={"run_id": run.pk, "next": following},
        )
    return True


def _fail(run: ResetRun, step: str, error: BaseException) -> None:
    message = str(error) if isinstance(error, ServiceError) else f"{type(error).__name__}: {error}"
    logger.error("reset run %s failed at %s: %s", run.pk, step, message)
    if not isinstance(error, ServiceError):
        logger.error("%s", traceback.format_exc())
    # Syncs stay paused: a half-reset organization must not receive imports.
    with transaction.atomic():
        failed = (
            ResetRun.tenant.of(run.organization_id)
            .filter(pk=run.pk, status=Status.RUNNING)
            .update(status=Status.FAILED, failed_step=step, error=message)
        )
        if failed:
            _log(run.pk, step, f"failed: {message}")
            audit_record(
                action=AuditAction.RESET_FAILED,
                organization=run.organization,
                details={"run_id": run.pk, "step": step, "error": message},
            )


def _heartbeat(run_id: int) -> None:
    ResetRun.unscoped.filter(pk=run_id).update(heartbeat_at=timezone.now())


# --------------------------------------------------------------------------- steps


def _step_pause(run: ResetRun):
    sync_pause_for_reset(
        organization=run.organization,
        run_id=run.pk,
        wait_seconds=IMPORT_WAIT_SECONDS,
        poll_seconds=1.0,
    )
    # No import runs now; a held one is last year's roster and goes with the students.
    discarded = held_imports_discard_for_reset(organization=run.organization, run_id=run.pk)
    if discarded:
        _log(run.pk, Step.PAUSE, f"{discarded} held roster import(s) discarded")


def _step_snapshot(run: ResetRun):
    # Apps that want the old year frozen register in a module named reset_hooks.py.
    autodiscover_modules("reset_hooks")
    for hook in snapshot_hooks():
        hook(run)


def _step_cutover(run: ResetRun):
    """One transaction, one single-row update: every old student vanishes at once."""
    with transaction.atomic():
        locked = ResetRun.unscoped.select_for_update().get(pk=run.pk)
        if locked.cutover_epoch is not None:
            return  # done before a crash
        org = Organization.objects.select_for_update().get(pk=run.organization_id)
        new_epoch = org.student_epoch + 1
        Organization.objects.filter(pk=org.pk, student_epoch=org.student_epoch).update(
            student_epoch=new_epoch
        )
        locked.cutover_epoch = new_epoch
        locked.cut_over_at = timezone.now()
        locked.save(update_fields=["cutover_epoch", "cut_over_at"])
        audit_record(
            action=AuditAction.RESET_CUTOVER,
            organization=org,
            details={"run_id": run.pk, "epoch": new_epoch},
        )


def _step_purge(run: ResetRun, *, inline: bool = False):
    with transaction.atomic():
        locked = ResetRun.unscoped.select_for_update().get(pk=run.pk)
        if not locked.counts:
            # Old-epoch rows are invisible and frozen after the cut-over: count them once.
            locked.counts = delete_counts(run.organization, locked.cutover_epoch)["total"]
            locked.save(update_fields=["counts"])
        # The parts of the purge: its schools, or the whole organization in one pass where
        # schools cannot be purged concurrently. Created once; a resumed run keeps them.
        if not SchoolPurge.tenant.of(run.organization).filter(run=run).exists():
            schools = (
                list(School.tenant.of(run.organization))
                if concurrency.schools_purge_concurrently()
                else [None]
            )
            SchoolPurge.unscoped.bulk_create(
                [
                    SchoolPurge(organization_id=run.organization_id, run=run, school=school)
                    for school in schools
                ],
                ignore_conflicts=True,
            )
    if inline:
        pending = list(
            SchoolPurge.tenant.of(run.organization)
            .filter(run=run, done=False)
            .values_list("school_id", flat=True)
        )
        for school_id in pending:
            purge_school(run.pk, school_id, advance=False)
    else:
        # One task per part, as many at once as the organization's limit allows.
        concurrency.purges_dispatch(run)
    if SchoolPurge.tenant.of(run.organization).filter(run=run, done=False).exists():
        return WAIT
    ResetRun.unscoped.filter(pk=run.pk, purged_at__isnull=True).update(purged_at=timezone.now())
    return None


def purge_school(run_id: int, school_id: int | None, *, advance: bool = True) -> None:
    """Delete one school's old-year rows (``None``: the whole organization's, in one pass)
    in keyset batches, children before parents."""
    run = ResetRun.unscoped.select_related("organization").get(pk=run_id)
    if run.status != Status.RUNNING or run.step != Step.PURGE or run.cutover_epoch is None:
        return
    progress = SchoolPurge.tenant.of(run.organization).get(run=run, school_id=school_id)
    if progress.done:
        return
    beat = _HeartbeatPacer(run.pk)
    try:
        for plan in purge_plan():
            sizer = BatchSizer()
            after = 0
            while True:
                started = time.perf_counter()
                after = _purge_batch(run, progress.pk, school_id, plan, after, sizer.size)
                if after is None:
                    break
                sizer.observe(time.perf_counter() - started)
                beat()
        SchoolPurge.tenant.of(run.organization).filter(pk=progress.pk).update(done=True)
    except Exception as error:
        _fail(run, Step.PURGE, error)
        return
    if advance and not SchoolPurge.tenant.of(run.organization).filter(run=run, done=False).exists():
        # The last school to finish carries the run on.
        reset_advance(run.pk)


class BatchSizer:
    """Roots (students or classes) per batch, steered so each batch takes about
    ``BATCH_SECONDS``: short enough that no transaction holds locks or the SQLite write
    lock for long, long enough that per-batch costs (round trips, the progress write,
    the commit) stay a small share. A fixed ``RESET_PURGE_BATCH_SIZE`` turns steering off
    (the crash trials use tiny fixed batches so kills land between and inside them).
    """

    def __init__(self) -> None:
        self.fixed = BATCH_SIZE is not None
        self.size = BATCH_SIZE or FIRST_BATCH

    def observe(self, seconds: float) -> None:
        if self.fixed:
            return
        wanted = self.size * BATCH_SECONDS / max(seconds, 1e-3)
        # At most double or halve per batch: one slow batch (a checkpoint, a busy
        # neighbour) must not swing the size, and growth stays below the time target.
        wanted = min(max(wanted, self.size / 2), self.size * 2)
        self.size = int(min(max(wanted, MIN_BATCH), MAX_BATCH))


class _HeartbeatPacer:
    """Touch the run's heartbeat every few seconds, not after every batch: each touch is
    a commit of its own, and concurrent school tasks would queue on the run row."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.every = min(HEARTBEAT_SECONDS, settings.RESET_STALE_AFTER_SECONDS / 4)
        self.last = time.monotonic()

    def __call__(self) -> None:
        now = time.monotonic()
        if now - self.last >= self.every:
            _heartbeat(self.run_id)
            self.last = now


def _purge_batch(
    run: ResetRun, progress_id: int, school_id: int | None, plan, after: int, size: int
) -> int | None:
    """Delete the part's next ``size`` roots (by id, after ``after``) and their children in
    one transaction with the progress row that counts them; returns the last root id.
    The part is one school, or the whole organization when ``school_id`` is None."""
    org_id = run.organization_id
    qn = connection.ops.quote_name
    root_table = qn(plan.root._meta.db_table)
    part, part_params = ("", []) if school_id is None else ("AND school_id = %s ", [school_id])
    roots_from = root_table
    if school_id is None and connection.vendor == "sqlite":
        # The organization's roots in id order are a range of the rowid. Left to itself,
        # SQLite reads all of the organization's roots through its (organization, epoch, …)
        # index (and sorts them) for each batch and each statement that names the roots.
        roots_from = f"{root_table} NOT INDEXED"
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Safe to lose: the progress commits with the deletes it counts, so a commit
            # lost in a crash is a batch simply done again. Saves a WAL flush per batch.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        # Lock our progress row: two workers on one school take turns, counts stay exact.
        progress = SchoolPurge.unscoped.select_for_update().get(pk=progress_id)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {roots_from} WHERE organization_id = %s {part}"
                "AND epoch < %s AND id > %s ORDER BY id LIMIT %s",
                [org_id, *part_params, run.cutover_epoch, after, size],
            )
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return None
            roots, roots_params = _batch_roots(
                roots_from, org_id, (part, part_params), run, after, ids
            )
            deleted = dict(progress.deleted)
            for child, column in plan.children:
                n = execute_guarded(
                    cursor,
                    f"DELETE FROM {qn(child._meta.db_table)} "
                    f"WHERE organization_id = %s AND {qn(column)} {roots}",
                    [org_id, *roots_params],
                    organization_id=org_id,
                )
                deleted[category(child)] = deleted.get(category(child), 0) + n
            n = execute_guarded(
                cursor,
                f"DELETE FROM {roots_from} WHERE organization_id = %s AND epoch < %s "
                f"AND id {roots}",
                [org_id, run.cutover_epoch, *roots_params],
                organization_id=org_id,
            )
            deleted[category(plan.root)] = deleted.get(category(plan.root), 0) + n
        progress.deleted = deleted
        progress.batches += 1
        progress.save(update_fields=["deleted", "batches", "updated_at"])
    return ids[-1]


def _batch_roots(roots_from, org_id, part_filter, run, after, ids) -> tuple[str, list]:
    """The batch's roots as a predicate on a referencing column, cheapest form per database.

    PostgreSQL: the ids as one array parameter, which becomes a single index scan per table
    (a sub-select here is planned as one index probe per root, about a third more work).
    SQLite: the keyset range as a sub-select (on the (organization, school, id) index for a
    school, on the rowid for the whole organization), with no parameter per id (large
    batches would pass SQLite's variable limit).
    """
    if connection.vendor == "postgresql":
        return "= ANY(%s)", [ids]
    part, part_params = part_filter
    return (
        f"IN (SELECT id FROM {roots_from} WHERE organization_id = %s {part}"
        "AND epoch < %s AND id > %s AND id <= %s)",
        [org_id, *part_params, run.cutover_epoch, after, ids[-1]],
    )


def _step_verify(run: ResetRun):
    remaining = {
        category(model): _old_rows(model, run.organization, run.cutover_epoch).count()
        for model in models_deleted_by_reset()
    }
    retained = retain_counts(run.organization)
    expected = run.preview.get("retain", {})
    ok = not any(remaining.values()) and retained == expected
    verification = {
        "ok": ok,
        "remaining": dict(sorted(remaining.items())),
        "retained": retained,
        "retained_expected": expected,
    }
    ResetRun.unscoped.filter(pk=run.pk).update(verification=verification)
    ResetRun.unscoped.filter(pk=run.pk, verified_at__isnull=True).update(verified_at=timezone.now())
    if not ok:
        left = {k: v for k, v in remaining.items() if v}
        raise VerificationFailed(
            f"Verification failed: rows left {left or 'none'}; retained {retained} "
            f"but the preview counted {expected}."
        )


def _step_certify(run: ResetRun):
    run.refresh_from_db()
    payload = {
        "title": "Student data deletion certificate",
        "organization": {"site_code": run.organization.site_code, "name": run.organization.name},
        "cycle": run.cycle.year,
        "run_id": run.pk,
        "reset_date": run.reset_date.isoformat() if run.reset_date else None,
        "started_at": run.started_at.isoformat(),
        "cut_over_at": run.cut_over_at.isoformat() if run.cut_over_at else None,
        "ended_at": run.verified_at.isoformat(),
        "deleted": run.counts,
        "retained": run.verification["retained"],
        "verification": {
            "ok": run.verification["ok"],
            "rows_remaining": sum(run.verification["remaining"].values()),
            "tables_checked": len(run.verification["remaining"]),
        },
    }
    autodiscover_modules("reset_hooks")
    payload.update(certificate_sections(run))
    certificate = {**payload, "signature": sign(payload)}
    stem = f"{run.organization.site_code}-{run.cycle.year}-run{run.pk}"
    json_path, pdf_path = write_certificate(certificate, stem)
    ResetRun.unscoped.filter(pk=run.pk).update(
        certificate=certificate, certificate_json_path=json_path, certificate_pdf_path=pdf_path
    )


def _step_resume(run: ResetRun):
    sync_resume_after_reset(organization=run.organization, run_id=run.pk)


_STEPS = {
    Step.PAUSE: _step_pause,
    Step.SNAPSHOT: _step_snapshot,
    Step.CUTOVER: _step_cutover,
    Step.PURGE: _step_purge,
    Step.VERIFY: _step_verify,
    Step.CERTIFY: _step_certify,
    Step.RESUME: _step_resume,
}


# --------------------------------------------------------------------------- tick


def reset_tick(now: datetime | None = None) -> list[Organization]:
    """Start every reset whose date has begun locally (up to the run limit, each as a task);
    re-drive runs that lost a worker. Returns the organizations whose reset it started."""
    now = now or timezone.now()
    started = concurrency.runs_start_due(now)
    # A running run whose heartbeat is older than this lost its worker: re-drive it.
    stale_before = now - concurrency.stale_after()
    stale = ResetRun.unscoped.filter(status=Status.RUNNING, heartbeat_at__lt=stale_before)
    for run_id in stale.values_list("pk", flat=True):
        _heartbeat(run_id)
        _enqueue_advance(run_id)
    return started
