"""The year-end archive: a frozen Student Data Export of the final state before a reset.

The reset engine calls ``archive_freeze`` at its snapshot step (before the cut-over),
through the hook registered in ``apps.py``. The file is kept for the organization's
retention period (``ReportSettings.archive_retention_days``, default 30; 0 keeps none),
downloadable by district administrators, then ``archive_destroy_expired`` deletes it
and records when, so the reset's certificate can cite it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from yearend.audit.actions import AuditAction
from yearend.audit.services import audit_record
from yearend.errors import InvalidInput, NotFound
from yearend.organizations.models import Organization
from yearend.reports.export import write_export
from yearend.reports.models import ReportSettings, YearEndArchive
from yearend.reports.services import Download, media_path


def retention_days(organization: Organization) -> int:
    setting = ReportSettings.tenant.of(organization).first()
    return (
        setting.archive_retention_days if setting else ReportSettings.DEFAULT_ARCHIVE_RETENTION_DAYS
    )


def report_settings_update(*, actor, organization: Organization, archive_retention_days: int):
    """Change how long the archive is kept. Who may is the door's question (those who
    manage the organization, ``scoping.managed_organization``)."""
    if not 0 <= archive_retention_days <= 365:
        raise InvalidInput("Retention must be 0 to 365 days.", field="archive_retention_days")
    with transaction.atomic():
        setting, _ = ReportSettings.unscoped.update_or_create(
            organization=organization,
            defaults={"archive_retention_days": archive_retention_days},
        )
        audit_record(
            action=AuditAction.RETENTION_CHANGED,
            actor=actor,
            organization=organization,
            details={"archive_retention_days": archive_retention_days},
        )
    return setting


def archive_freeze(
    *,
    organization: Organization,
    reset_run_id: int,
    epoch: int | None = None,
    cycle_label: str = "",
    now: datetime | None = None,
) -> YearEndArchive:
    """Freeze the export of ``epoch`` (default: the current students). Idempotent per run:
    a resumed reset gets the archive it already made."""
    existing = YearEndArchive.tenant.of(organization).filter(reset_run_id=reset_run_id).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    days = retention_days(organization)
    name, rows = "", 0
    if days > 0:
        name = f"reports/archives/{organization.pk}/{uuid.uuid4().hex}.xlsx"
        rows = write_export(media_path(name), organization=organization, epoch=epoch)
    try:
        with transaction.atomic():
            archive = YearEndArchive.unscoped.create(
                organization=organization,
                reset_run_id=reset_run_id,
                cycle_label=cycle_label,
                retention_days=days,
                file_name=name,
                rows=rows,
                expires_at=now + timedelta(days=days),
                # Retention off: nothing is kept, so nothing is left to destroy.
                destroyed_at=None if days > 0 else now,
            )
            audit_record(
                action=AuditAction.ARCHIVE_FROZEN,
                organization=organization,
                details={"archive": archive.pk, "reset_run": reset_run_id, "rows": rows},
            )
    except IntegrityError:
        # A concurrent call for the same run won; keep its file, drop ours.
        if name:
            media_path(name).unlink(missing_ok=True)
        return YearEndArchive.tenant.of(organization).get(reset_run_id=reset_run_id)
    return archive


def archive_destroy_expired(now: datetime | None = None) -> int:
    """Delete every archive file past its retention and record when; returns how many."""
    now = now or timezone.now()
    destroyed = 0
    due = YearEndArchive.unscoped.filter(destroyed_at__isnull=True, expires_at__lte=now)
    for archive in due.select_related("organization").iterator():
        with transaction.atomic():
            claimed = YearEndArchive.unscoped.filter(
                pk=archive.pk, destroyed_at__isnull=True
            ).update(destroyed_at=now)
            if claimed != 1:
                continue
            audit_record(
                action=AuditAction.ARCHIVE_DESTROYED,
                organization=archive.organization,
                details={"archive": archive.pk, "reset_run": archive.reset_run_id},
            )
        if archive.file_name:
            media_path(archive.file_name).unlink(missing_ok=True)
        destroyed += 1
    return destroyed


def archive_download(*, archive: YearEndArchive, actor, via: str) -> Download:
    """The archive's file while it is kept, recorded as downloaded."""
    if not archive.kept:
        raise NotFound("The archive has been destroyed.", field="archive_id")
    audit_record(
        action=AuditAction.ARCHIVE_DOWNLOADED,
        actor=actor,
        organization=archive.organization,
        via=via,
        details={"archive": archive.pk, "reset_run": archive.reset_run_id},
    )
    name = f"year-end-archive-{archive.organization.site_code}-{archive.reset_run_id}.xlsx"
    return Download(media_path(archive.file_name).open("rb"), name)


def archive_for_reset(organization: Organization, reset_run_id: int) -> dict | None:
    """What the reset's certificate says about the archive."""
    archive = YearEndArchive.tenant.of(organization).filter(reset_run_id=reset_run_id).first()
    if archive is None:
        return None
    return {
        "archive_id": archive.pk,
        "retention_days": archive.retention_days,
        "rows": archive.rows,
        "created_at": archive.created_at.isoformat(),
        "expires_at": archive.expires_at.isoformat(),
        "destroyed_at": archive.destroyed_at.isoformat() if archive.destroyed_at else None,
    }


def snapshot_hook(run) -> YearEndArchive:
    """Registered with the reset engine: freeze the archive at the snapshot step."""
    cycle = getattr(run, "cycle", None)
    return archive_freeze(
        organization=run.organization,
        reset_run_id=run.id,
        epoch=getattr(run, "epoch", None),
        cycle_label=str(cycle) if cycle is not None else "",
    )
