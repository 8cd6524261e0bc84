"""The reset engine: a persisted state machine, read from the tick to the certificate.

A reset is due when its date has begun in the organization's own time zone (the tick's
selection, first below). It is claimed once (``reset_start``), then ``reset_advance``
runs its steps in order: pause the roster syncs, freeze the year-end archive, cut over to
the new school year, purge the old one (purge.py), verify, certify, resume the syncs.

Every step is idempotent and every transition is a conditional update on the run row
(``WHERE step = <the step we just finished>``), so any number of workers, retries and
restarts converge on the end state an uninterrupted run reaches. ``reset_advance`` is the
one place that moves a run on. This module never enqueues: dispatch.py hands the work to
the workers and calls in here; commands that wait drive the engine inline.
"""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.errors import Conflict, InvalidInput, ServiceError
from yearend.organizations.models import Organization
from yearend.resetdates.models import OrganizationResetDate, ResetCycle
from yearend.resets import calendar_link, purge
from yearend.resets.certificates import sign, write_certificate
from yearend.resets.drivers import live_driver, run_heard_from, stale_after
from yearend.resets.hooks import certificate_sections, snapshot_hooks
from yearend.resets.models import STEP_ORDER, ResetRun, Status, Step
from yearend.resets.selectors import _old_rows, delete_counts, reset_preview, retain_counts
from yearend.rosters.services import held_imports_discard_for_reset
from yearend.rosters.syncs.pausing import sync_pause_for_reset, sync_resume_after_reset
from yearend.tenancy import models_deleted_by_reset

logger = logging.getLogger(__name__)

IMPORT_WAIT_SECONDS = float(os.environ.get("RESET_IMPORT_WAIT_SECONDS", "600"))
# A step's outcome when the run must wait for work elsewhere (its purge parts).
WAIT = object()


class VerificationFailed(ServiceError):
    code = "verification_failed"


# --------------------------------------------------------------------------- tick


def resets_due(now: datetime) -> Iterator[tuple[int, int]]:
    """(organization id, cycle id) of every reset whose date has begun in the organization's
    own time zone and which has no run yet, in date order. Never early: the local date
    must have come.

    One set-based query (the runs are excluded in SQL) of plain values, so a tick over
    twenty thousand organizations stays fast."""
    has_run = ResetRun.unscoped.filter(
        organization_id=OuterRef("organization_id"), cycle_id=OuterRef("cycle_id")
    )
    rows = (
        OrganizationResetDate.unscoped
        # Tomorrow in UTC is the latest date that can have begun somewhere (UTC+14).
        .filter(reset_date__lte=now.date() + timedelta(days=1))
        .exclude(Exists(has_run))
        .order_by("reset_date", "id")
        .values_list("organization_id", "cycle_id", "reset_date", "organization__time_zone")
    )
    zones: dict[str, ZoneInfo] = {}
    for organization_id, cycle_id, reset_date, zone in rows:
        local = now.astimezone(zones.setdefault(zone, ZoneInfo(zone))).date()
        if local >= reset_date:
            yield organization_id, cycle_id


def runs_silent(now: datetime) -> list[int]:
    """Running runs whose heartbeat is older than ``stale_after``: they lost their worker
    and must be driven again. Each is touched, so the next tick leaves it to the worker it
    is handed to now."""
    silent = ResetRun.unscoped.filter(status=Status.RUNNING, heartbeat_at__lt=now - stale_after())
    run_ids = list(silent.values_list("pk", flat=True))
    ResetRun.unscoped.filter(pk__in=run_ids).update(heartbeat_at=timezone.now())
    return run_ids


# --------------------------------------------------------------------------- claim


def reset_start(
    *,
    organization: Organization,
    cycle: ResetCycle | None = None,
    acting_user=None,
    via: str = Via.SYSTEM,
    confirm_site_code: str | None = None,
    now: datetime | None = None,
) -> tuple[ResetRun, bool]:
    """Claim the organization's reset for the cycle; returns (run, created).

    The unique (organization, cycle) constraint decides who wins a race: everyone else
    gets the existing run back, and nothing is started twice. The claimed run waits at
    its first step for whoever drives it (``reset_advance``).
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
    return run, True


def reset_resume(*, run: ResetRun, acting_user=None, via: str = Via.COMMAND) -> None:
    """Set a failed run running again from its failed step (a stalled running run stays
    as it is); whoever resumes then drives it on (``reset_advance``)."""
    if run.status == Status.SUCCEEDED:
        raise Conflict(f"Reset run {run.pk} has already succeeded.")
    driver = live_driver(run)
    if driver is not None:
        raise Conflict(
            f"Reset run {run.pk} is being moved by {driver.process} "
            f"(since {_clock(driver.since)}, last heard from at {_clock(driver.heard_at)}), "
            f"at step {run.step}: it is not stalled. A run may be resumed once it has been "
            f"silent for {settings.RESET_STALE_AFTER_SECONDS} seconds."
        )
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


# --------------------------------------------------------------------------- driver


def _clock(moment) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC" if moment else "an unknown time"


def reset_advance(run_id: int, *, inline: bool = False) -> ResetRun:
    """Run the current step and the following ones until done, failed or waiting.

    ``inline`` purges every school in this process (``reset_run --wait``, ``resume``)
    instead of leaving a large run's purge parts to the workers.
    """
    for _ in range(len(STEP_ORDER) * 2):
        run = ResetRun.unscoped.select_related("organization", "cycle").get(pk=run_id)
        if run.status != Status.RUNNING or run.step == Step.DONE:
            return run
        step = run.step
        run_heard_from(run.pk)
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


def reset_purge_part(run_id: int, school_id: int | None) -> None:
    """Purge one part of a run waiting at its purge step, as a worker's task does. A
    failure fails the run; the last part to finish carries the run on."""
    run = ResetRun.unscoped.select_related("organization").get(pk=run_id)
    try:
        purged = purge.purge_part(run_id, school_id)
    except Exception as error:
        _fail(run, Step.PURGE, error)
        return
    if purged and not purge.parts_pending(run).exists():
        reset_advance(run_id)


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
    """Delete the old year's rows, part by part (purge.py). A small run, or one driven
    inline, is purged here; a larger one waits while dispatch spreads its parts over the
    workers, and the last part to finish carries it on (``reset_purge_part``)."""
    with transaction.atomic():
        locked = ResetRun.unscoped.select_for_update().get(pk=run.pk)
        if not locked.counts:
            # Old-epoch rows are invisible and frozen after the cut-over: count them once.
            locked.counts = delete_counts(run.organization, locked.cutover_epoch)["total"]
            locked.save(update_fields=["counts"])
        purge.parts_create(run)
    if inline or purge.small_enough_to_purge_here(locked.counts):
        for school_id in list(purge.parts_pending(run).values_list("school_id", flat=True)):
            purge.purge_part(run.pk, school_id)
    if purge.parts_pending(run).exists():
        return WAIT
    ResetRun.unscoped.filter(pk=run.pk, purged_at__isnull=True).update(purged_at=timezone.now())
    return None


def _step_verify(run: ResetRun):
    remaining = {
        purge.category(model): _old_rows(model, run.organization, run.cutover_epoch).count()
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
