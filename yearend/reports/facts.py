"""Facts of reports that other apps ask about, for many organizations in one query each:
when a district last downloaded its whole export, and which year-end archives are still
kept. Notices may not import reports (one layer, independent apps): these are registered
with the reset engine's hooks in ``reset_hooks.py`` and read through them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Max

from yearend.reports.models import ExportJob, YearEndArchive
from yearend.resets.hooks import KeptArchive
from yearend.resets.models import ResetRun


def last_district_export_downloads(organization_ids: Iterable[int]) -> dict[int, datetime]:
    """When each organization last downloaded an export of the whole district (not of one
    school); an organization that never did is absent."""
    return dict(
        ExportJob.unscoped.filter(
            organization_id__in=list(organization_ids),
            school__isnull=True,
            downloaded_at__isnull=False,
        )
        .values_list("organization_id")
        .annotate(last=Max("downloaded_at"))
        .order_by()
    )


def archives_still_kept(runs: Iterable[ResetRun]) -> dict[int, KeptArchive]:
    """The year-end archive of each reset run that can still be downloaded, by run id."""
    wanted = {(run.organization_id, run.pk) for run in runs}
    return {
        archive.reset_run_id: KeptArchive(archive_id=archive.pk, expires_at=archive.expires_at)
        for archive in YearEndArchive.unscoped.filter(
            # Organization first: the tenant index serves the lookup.
            organization_id__in={organization_id for organization_id, _ in wanted},
            reset_run_id__in=[run_id for _, run_id in wanted],
        )
        if archive.kept and (archive.organization_id, archive.reset_run_id) in wanted
    }
