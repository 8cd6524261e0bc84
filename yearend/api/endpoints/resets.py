"""The reset: preview (a dry run), runs and their progress, certificates; resume.

A reset starts on its date, or off-schedule through the two-person request in
``endpoints/offschedule.py``: never on one API call.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path as FilePath
from typing import Any

from django.http import FileResponse
from ninja import Router, Schema

from yearend.api.access import (
    ObjectId,
    SiteCode,
    caller,
    managed_organization,
    require_ops,
)
from yearend.api.errors import ERROR_RESPONSES
from yearend.audit.models import Via
from yearend.errors import NotFound
from yearend.resets.dispatch import reset_resume_in_background
from yearend.resets.models import ResetRun
from yearend.resets.selectors import reset_preview, run_summary

router = Router(tags=["resets"])


class PreviewOut(Schema):
    site_code: str
    reset_date: date | None
    delete: dict[str, int]
    retain: dict[str, int]
    schools: list[dict[str, Any]]


class RunOut(Schema):
    run_id: int
    site_code: str
    cycle: int
    status: str
    step: str
    failed_step: str | None
    error: str | None
    started_at: str | None
    finished_at: str | None
    counts: dict[str, Any]
    verification: bool | None
    schools_done: int
    schools: int
    certificate: bool


class RunDetailOut(RunOut):
    log: list[dict[str, Any]]


def run_out(run: ResetRun, *, with_log: bool = False) -> dict:
    summary = run_summary(run)
    # Server file paths are nobody's business: the certificate has its own endpoints.
    summary.pop("certificate_json", None)
    summary["certificate"] = bool(summary.pop("certificate"))
    if with_log:
        summary["log"] = run.log
    return summary


def _run(organization, run_id: int) -> ResetRun:
    run = (
        ResetRun.tenant.of(organization)
        .select_related("organization", "cycle")
        .filter(pk=run_id)
        .first()
    )
    if run is None:
        raise NotFound(f"No reset run {run_id} of {organization.site_code}.", field="run_id")
    return run


@router.get(
    "/organizations/{site_code}/reset-preview", response={200: PreviewOut, **ERROR_RESPONSES}
)
def preview(request, site_code: SiteCode):
    """What a reset would delete now, per category and school, and what it keeps."""
    from yearend.resets import calendar_link

    organization = managed_organization(request, site_code)
    try:
        cycle = calendar_link.cycle_for_today(organization)
        reset_date = calendar_link.reset_date_for(organization, cycle)
    except NotFound:
        reset_date = None
    return reset_preview(organization, reset_date=reset_date)


@router.get(
    "/organizations/{site_code}/reset-runs", response={200: list[RunOut], **ERROR_RESPONSES}
)
def runs_list(request, site_code: SiteCode):
    """The organization's reset runs, newest first."""
    organization = managed_organization(request, site_code)
    runs = ResetRun.tenant.of(organization).select_related("organization", "cycle")
    return [run_out(run) for run in runs.order_by("-started_at", "-id")]


@router.get(
    "/organizations/{site_code}/reset-runs/{run_id}",
    response={200: RunDetailOut, **ERROR_RESPONSES},
)
def run_detail(request, site_code: SiteCode, run_id: ObjectId):
    """One run: its step, progress per school, counts, verification and log."""
    organization = managed_organization(request, site_code)
    return run_out(_run(organization, run_id), with_log=True)


@router.get(
    "/organizations/{site_code}/reset-runs/{run_id}/certificate",
    response={200: dict[str, Any], **ERROR_RESPONSES},
)
def certificate_json(request, site_code: SiteCode, run_id: ObjectId):
    """The signed deletion certificate (counts and times, no student personal data)."""
    run = _run(managed_organization(request, site_code), run_id)
    if not run.certificate:
        raise NotFound("This run has no certificate yet.", field="run_id")
    return run.certificate


@router.get(
    "/organizations/{site_code}/reset-runs/{run_id}/certificate.pdf",
    response={200: None, **ERROR_RESPONSES},
)
def certificate_pdf(request, site_code: SiteCode, run_id: ObjectId):
    """The deletion certificate as a PDF."""
    run = _run(managed_organization(request, site_code), run_id)
    path = FilePath(run.certificate_pdf_path) if run.certificate_pdf_path else None
    if path is None or not path.is_file():
        raise NotFound("This run has no certificate yet.", field="run_id")
    return FileResponse(path.open("rb"), filename=path.name, content_type="application/pdf")


@router.post(
    "/organizations/{site_code}/reset-runs/{run_id}/resume",
    response={200: RunOut, **ERROR_RESPONSES},
)
def run_resume(request, site_code: SiteCode, run_id: ObjectId):
    """Continue a failed or stalled run from where it stopped (operations only)."""
    organization = managed_organization(request, site_code)
    require_ops(request)
    run = reset_resume_in_background(
        run=_run(organization, run_id), acting_user=caller(request), via=Via.API
    )
    return run_out(ResetRun.unscoped.select_related("organization", "cycle").get(pk=run.pk))
