"""The reset: preview (a dry run), runs and their progress, certificates; resume.

A reset starts on its date, or off-schedule through the two-person request in
``endpoints/offschedule.py``: never on one API call.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import FileResponse
from ninja import Router, Schema

from yearend import scoping
from yearend.api.access import ObjectId, SiteCode, caller
from yearend.api.errors import ERROR_RESPONSES
from yearend.audit.models import Via
from yearend.errors import NotFound
from yearend.people.models import Role
from yearend.resets import calendar_link
from yearend.resets.dispatch import reset_resume_in_background
from yearend.resets.downloads import certificate_download
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


def _run(request, site_code: str, run_id: int) -> ResetRun:
    user = caller(request)
    organization = scoping.managed_organization(user, site_code)
    return scoping.run_for(user, run_id, organization=organization)


@router.get(
    "/organizations/{site_code}/reset-preview", response={200: PreviewOut, **ERROR_RESPONSES}
)
def preview(request, site_code: SiteCode):
    """What a reset would delete now, per category and school, and what it keeps."""
    organization = scoping.managed_organization(caller(request), site_code)
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
    organization = scoping.managed_organization(caller(request), site_code)
    runs = ResetRun.tenant.of(organization).select_related("organization", "cycle")
    return [run_out(run) for run in runs.order_by("-started_at", "-id")]


@router.get(
    "/organizations/{site_code}/reset-runs/{run_id}",
    response={200: RunDetailOut, **ERROR_RESPONSES},
)
def run_detail(request, site_code: SiteCode, run_id: ObjectId):
    """One run: its step, progress per school, counts, verification and log."""
    return run_out(_run(request, site_code, run_id), with_log=True)


@router.get(
    "/organizations/{site_code}/reset-runs/{run_id}/certificate",
    response={200: dict[str, Any], **ERROR_RESPONSES},
)
def certificate_json(request, site_code: SiteCode, run_id: ObjectId):
    """The signed deletion certificate (counts and times, no student personal data)."""
    run = _run(request, site_code, run_id)
    certificate_download(run=run, kind="json", actor=caller(request), via=Via.API)
    return run.certificate


@router.get(
    "/organizations/{site_code}/reset-runs/{run_id}/certificate.pdf",
    response={200: None, **ERROR_RESPONSES},
)
def certificate_pdf(request, site_code: SiteCode, run_id: ObjectId):
    """The deletion certificate as a PDF."""
    run = _run(request, site_code, run_id)
    path = certificate_download(run=run, kind="pdf", actor=caller(request), via=Via.API)
    return FileResponse(path.open("rb"), filename=path.name, content_type="application/pdf")


@router.post(
    "/organizations/{site_code}/reset-runs/{run_id}/resume",
    response={200: RunOut, **ERROR_RESPONSES},
)
def run_resume(request, site_code: SiteCode, run_id: ObjectId):
    """Continue a failed or stalled run from where it stopped (operations only)."""
    user = caller(request)
    organization = scoping.managed_organization(user, site_code)
    scoping.vendor_staff(user, Role.OPS)
    run = scoping.run_for(user, run_id, organization=organization)
    run = reset_resume_in_background(run=run, acting_user=user, via=Via.API)
    return run_out(ResetRun.unscoped.select_related("organization", "cycle").get(pk=run.pk))
