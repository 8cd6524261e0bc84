"""Automated syncs: look in each organization's drop folder for a new bundle and import it.

A bundle is the drop folder itself (when it holds manifest.csv), or the newest .zip or
sub-folder in it. The bundle's digest is remembered, so a bundle is imported once; a
bundle that arrives while syncs are paused is recorded as skipped and imported after
the pause is lifted.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.utils import timezone

from yearend.errors import ServiceError
from yearend.organizations.models import Organization
from yearend.rosters.models import ImportRun, SyncSource
from yearend.rosters.oneroster.bundle import bundle_read
from yearend.rosters.pausing import sync_pause_reason
from yearend.rosters.services import roster_import
from yearend.rosters.sources import sync_source_is_due

logger = logging.getLogger(__name__)


def newest_bundle(folder: Path) -> Path | None:
    if not folder.is_dir():
        return None
    if (folder / "manifest.csv").is_file():
        return folder
    candidates = [
        p
        for p in folder.iterdir()
        if (p.is_file() and p.suffix.lower() == ".zip")
        or (p.is_dir() and (p / "manifest.csv").is_file())
    ]
    return max(candidates, key=lambda p: (p.stat().st_mtime, p.name), default=None)


def sync_source_check(source: SyncSource) -> ImportRun | None:
    """Import the source's newest bundle if it is new; returns the run, or None."""
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
