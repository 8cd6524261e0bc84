"""A small organization with something behind every route: a finished reset with its
certificate, a roster with students and classes, a held import, a finished export."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.test import TestCase

from yearend.organizations.models import Organization
from yearend.reports.models import ExportJob
from yearend.reports.services import export_job_run, export_request
from yearend.resetdates.models import ResetCycle
from yearend.resetdates.selectors import allowed_days_for
from yearend.resets.dispatch import reset_start_in_background
from yearend.resets.models import OffScheduleRequest, ResetRun, Status
from yearend.resets.offschedule import offschedule_request
from yearend.rosters.models import HeldImport, ImportRun
from yearend.rosters.services import roster_import
from yearend.rosters.tests.bundles import roster_files, write_bundle


@dataclass
class World:
    organization: Organization
    cycle: ResetCycle
    run: ResetRun
    job: ExportJob
    hold: HeldImport
    allowed_day: str
    # An open off-schedule request for another organization, by a second operations user.
    offschedule: OffScheduleRequest

    def path_values(self) -> dict:
        """What each ``{name}`` in an API path stands for in this world."""
        return {
            "site_code": self.organization.site_code,
            "run_id": self.run.pk,
            "job_id": self.job.pk,
            "hold_id": self.hold.pk,
            "request_id": self.offschedule.pk,
        }


def build_world(organization, users: dict, cycle: ResetCycle, folder: Path) -> World:
    # A finished reset of last cycle (the organization is empty then: quick).
    last_cycle = ResetCycle.objects.filter(year__lt=cycle.year).order_by("-year").first()
    with TestCase.captureOnCommitCallbacks(execute=True):
        run, _ = reset_start_in_background(organization=organization, cycle=last_cycle)
    run = ResetRun.unscoped.get(pk=run.pk)
    assert run.status == Status.SUCCEEDED, run.error
    # A roster, then an upload that would remove too many students: held.
    applied = roster_import(
        organization=organization, path=write_bundle(folder / "a", roster_files(12))
    )
    assert applied.status == ImportRun.Status.APPLIED, applied.message
    files = roster_files(12)
    files["users"] = [r for r in files["users"] if not r.startswith(("s-0,", "s-1,", "s-2,"))]
    files["enrollments"] = [
        r for r in files["enrollments"] if r.split(",")[5] not in {"s-0", "s-1", "s-2"}
    ]
    held = roster_import(organization=organization, path=write_bundle(folder / "b", files))
    assert held.status == ImportRun.Status.HELD, held.message
    with TestCase.captureOnCommitCallbacks(execute=False):
        job = export_request(actor=users["district_admin"], organization=organization, fmt="csv")
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    other = Organization.objects.exclude(pk=organization.pk).order_by("pk").first()
    offschedule = offschedule_request(
        organization=other,
        reason="Customer migrates to a new SIS early",
        acting_user=users["second_ops"],
    )
    return World(
        organization=organization,
        cycle=cycle,
        run=run,
        job=job,
        hold=HeldImport.tenant.of(organization).get(run=held),
        allowed_day=allowed_days_for(organization, cycle)[3].isoformat(),
        offschedule=offschedule,
    )
