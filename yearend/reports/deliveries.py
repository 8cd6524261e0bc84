"""Reads: what of its reports has reached an organization (exports downloaded, progress
reports printed), for the checklist before a reset.

``organization`` may be an organization, its id or ``OuterRef("pk")``, so a page can
read these facts inside a query of its own.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from yearend.reports.models import ExportJob, ProgressReportPrint


def exports_downloaded(organization, *, since: datetime) -> QuerySet[ExportJob]:
    """Exports asked for after ``since`` that reached the district, latest download first."""
    return (
        ExportJob.tenant.of(organization)
        .filter(created_at__gt=since, downloaded_at__isnull=False)
        .order_by("-downloaded_at")
    )


def progress_reports_printed(organization, *, since: datetime) -> QuerySet[ProgressReportPrint]:
    """Progress reports printed after ``since``, latest first."""
    return (
        ProgressReportPrint.tenant.of(organization)
        .filter(printed_at__gt=since)
        .order_by("-printed_at")
    )
