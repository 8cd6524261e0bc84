"""Sync sources: the drop folder each organization's SIS writes OneRoster bundles into,
and which bundle in it is the newest.

Only operators set them up (there is no page for it yet): ``roster_source_create``,
``roster_source_list`` and ``roster_source_delete`` are thin adapters over this module.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.errors import Conflict, InvalidInput, NotFound
from yearend.organizations.models import Organization
from yearend.rosters.models import SyncSource

TICK_MINUTES = 5  # the worker looks at sync sources this often (rosters.jobs)
_SCHEDULE = re.compile(r"^\s*(\d+)\s*(m|min|minutes?|h|hours?|d|days?)?\s*$", re.IGNORECASE)


def schedule_minutes(text: str | int) -> int:
    """'15m', '2h', '1d' or a number of minutes -> minutes (at least the worker's tick)."""
    match = _SCHEDULE.match(str(text))
    if not match:
        raise InvalidInput(
            f"'{text}' is not a schedule: give minutes, or a number with m, h or d "
            "(e.g. 30m, 6h, 1d).",
            field="schedule",
        )
    number, unit = int(match.group(1)), (match.group(2) or "m").lower()
    minutes = number * {"m": 1, "h": 60, "d": 1440}[unit[0]]
    if minutes < TICK_MINUTES:
        raise InvalidInput(
            f"Sync sources are checked at most every {TICK_MINUTES} minutes.", field="schedule"
        )
    return minutes


def sync_source_create(
    *,
    organization: Organization,
    folder: str | Path,
    name: str = "",
    every_minutes: int = TICK_MINUTES,
    enabled: bool = True,
    acting_user=None,
    via: str = Via.COMMAND,
) -> SyncSource:
    """Give ``organization`` its (single) sync source. The folder may not exist yet (the
    SIS creates it); if it does, it must be a folder."""
    path = Path(folder).expanduser()
    if not path.is_absolute():
        raise InvalidInput(f"{folder}: give the drop folder as an absolute path.", field="folder")
    if path.exists() and not path.is_dir():
        raise InvalidInput(f"{path}: exists but is not a folder.", field="folder")
    if every_minutes < TICK_MINUTES:
        raise InvalidInput(
            f"Sync sources are checked at most every {TICK_MINUTES} minutes.", field="schedule"
        )
    name = name.strip()
    if len(name) > 100:
        raise InvalidInput("The name is longer than 100 characters.", field="name")
    if SyncSource.tenant.of(organization).exists():
        raise Conflict(
            f"{organization.site_code} already has a sync source; delete it first "
            "(roster_source_delete) to replace it.",
            field="org",
        )
    try:
        with transaction.atomic():
            source = SyncSource.unscoped.create(
                organization=organization,
                name=name,
                folder=str(path),
                enabled=enabled,
                check_every_minutes=every_minutes,
            )
            audit_record(
                action=AuditAction.ROSTER_SOURCE_CREATE,
                actor=acting_user,
                organization=organization,
                via=via,
                details={"source": source.pk, "every_minutes": every_minutes},
            )
    except IntegrityError:
        raise Conflict(f"{organization.site_code} already has a sync source.") from None
    return source


@transaction.atomic
def sync_source_delete(
    *, organization: Organization, acting_user=None, via: str = Via.COMMAND
) -> None:
    """Stop automated syncs for ``organization``; its import runs and holds stay."""
    source = SyncSource.tenant.of(organization).first()
    if source is None:
        raise NotFound(f"{organization.site_code} has no sync source.", field="org")
    details = {"source": source.pk, "folder_name": Path(source.folder).name}
    SyncSource.tenant.of(organization).filter(pk=source.pk).delete()
    audit_record(
        action=AuditAction.ROSTER_SOURCE_DELETE,
        actor=acting_user,
        organization=organization,
        via=via,
        details=details,
    )


def sync_sources() -> QuerySet[SyncSource]:
    """Every organization's sync source (operators' view across tenants)."""
    return SyncSource.unscoped.select_related("organization").order_by("organization__site_code")


def sync_source_is_due(source: SyncSource, now=None) -> bool:
    """Whether the source's schedule says to look at its folder again."""
    if source.last_checked_at is None:
        return True
    now = now or timezone.now()
    # A little slack, so a check that ran a few seconds into its tick is not skipped next time.
    every = timedelta(minutes=source.check_every_minutes) - timedelta(seconds=30)
    return now - source.last_checked_at >= every


def newest_bundle(folder: Path) -> Path | None:
    """The drop folder itself when it holds manifest.csv, else the newest .zip or
    sub-folder (with a manifest.csv) in it; None when there is none."""
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
