"""Writes of the reports app: export jobs, their files and who may ask for them."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.errors import Forbidden, InvalidInput, NotFound
from yearend.organizations.models import Organization, School
from yearend.people.models import Role, User
from yearend.reports.export import write_export
from yearend.reports.models import ExportJob, Format
from yearend.reports.selectors import export_students
from yearend.scoping import can_manage_organization, schools_for

logger = logging.getLogger(__name__)

EXPORT_FILE_LIFETIME = timedelta(days=7)


def media_path(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def export_scope_check(*, actor: User, organization: Organization, school: School | None) -> None:
    """District administrators (and vendor staff) export the organization or a school;
    school administrators only a school of theirs; nobody else exports."""
    if can_manage_organization(actor, organization):
        return
    if actor.role == Role.SCHOOL_ADMIN and actor.organization_id == organization.pk:
        if school is None:
            raise Forbidden("School administrators export their own school: choose it.")
        if schools_for(actor, organization).filter(pk=school.pk).exists():
            return
        raise NotFound("No such school.", field="school")
    if actor.organization_id == organization.pk:
        raise Forbidden("Only district or school administrators can export student data.")
    raise NotFound("No such organization.", field="org")


def export_request(
    *,
    actor: User,
    organization: Organization,
    school: School | None = None,
    fmt: str = Format.XLSX,
    via: str = Via.PORTAL,
) -> ExportJob:
    """Queue a Student Data Export; the worker runs it after the commit."""
    if fmt not in Format.values:
        raise InvalidInput(f"Unknown format {fmt!r}; use xlsx or csv.", field="format")
    if school is not None and school.organization_id != organization.pk:
        raise NotFound("No such school.", field="school")
    export_scope_check(actor=actor, organization=organization, school=school)
    with transaction.atomic():
        job = ExportJob.unscoped.create(
            organization=organization, school=school, requested_by=actor, format=fmt
        )
        audit_record(
            action=AuditAction.EXPORT_REQUESTED,
            actor=actor,
            organization=organization,
            via=via,
            details={"export_job": job.pk, "school": school.pk if school else None, "format": fmt},
        )
        transaction.on_commit(lambda: run_export_job.enqueue(job.pk))
    return job


@task()
def run_export_job(job_id: int) -> None:
    """The worker's half of ``export_request``, defined beside its one enqueue so that no
    task module has to call back into these services."""
    export_job_run(job_id=job_id)


def _log(job: ExportJob, message: str) -> None:
    job.log = [*job.log, {"at": timezone.now().isoformat(), "message": message}]
    ExportJob.unscoped.filter(pk=job.pk).update(log=job.log)


def export_job_run(*, job_id: int, now: datetime | None = None) -> ExportJob | None:
    """Run a queued export. Claimed with a conditional update, so a retried or duplicated
    task does nothing when another worker already has it."""
    now = now or timezone.now()
    claimed = ExportJob.unscoped.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, started_at=now
    )
    if claimed != 1:
        return None
    job = ExportJob.unscoped.select_related("organization", "school").get(pk=job_id)
    organization = job.organization
    total = export_students(organization, school=job.school).count()
    ExportJob.unscoped.filter(pk=job.pk).update(rows_total=total)
    _log(job, f"Started: {total} student(s), {job.format}.")
    name = f"reports/exports/{organization.pk}/{uuid.uuid4().hex}.{job.format}"

    def progress(done: int) -> None:
        ExportJob.unscoped.filter(pk=job.pk).update(rows_done=done)

    try:
        rows = write_export(
            media_path(name),
            organization=organization,
            school=job.school,
            fmt=job.format,
            progress=progress,
        )
    except Exception as error:
        logger.exception("export %s failed", job.pk)
        media_path(name).unlink(missing_ok=True)
        _log(job, "Failed; the partial file was removed.")
        ExportJob.unscoped.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED,
            error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
        return job
    finished = timezone.now()
    _log(job, f"Finished: {rows} student(s).")
    with transaction.atomic():
        ExportJob.unscoped.filter(pk=job.pk).update(
            status=ExportJob.Status.DONE,
            rows_done=rows,
            rows_total=rows,
            file_name=name,
            finished_at=finished,
            expires_at=finished + EXPORT_FILE_LIFETIME,
        )
        audit_record(
            action=AuditAction.EXPORT_FINISHED,
            organization=organization,
            details={"export_job": job.pk, "rows": rows},
        )
    job.refresh_from_db()
    return job


def export_files_expire(*, now: datetime | None = None) -> int:
    """Delete export files past their time; returns how many."""
    now = now or timezone.now()
    count = 0
    due = ExportJob.unscoped.filter(status=ExportJob.Status.DONE, expires_at__lte=now)
    for job_id, name in due.values_list("pk", "file_name").iterator():
        updated = ExportJob.unscoped.filter(pk=job_id, status=ExportJob.Status.DONE).update(
            status=ExportJob.Status.EXPIRED, file_name=""
        )
        if updated == 1 and name:
            media_path(name).unlink(missing_ok=True)
            count += 1
    return count
