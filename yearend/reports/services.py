"""Writes of the reports app: export jobs and their files, what reached whom (an export
downloaded or written for the district, progress reports printed), each with its audit row."""

from __future__ import annotations

import logging
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.errors import InvalidInput, NotFound
from yearend.organizations.models import Organization, School
from yearend.people.models import Student, User
from yearend.reports.export import write_export
from yearend.reports.models import ExportJob, Format, ProgressReportPrint
from yearend.reports.progress import write_progress_reports
from yearend.reports.selectors import export_students

logger = logging.getLogger(__name__)

EXPORT_FILE_LIFETIME = timedelta(days=7)
# Most students one web request prints: a request thread is no place for a whole
# district's pages; the command is (REPORTS_PROGRESS_MAX_STUDENTS overrides it).
PROGRESS_MAX_STUDENTS = 5_000


def media_path(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def export_request(
    *,
    actor: User,
    organization: Organization,
    school: School | None = None,
    fmt: str = Format.XLSX,
    via: str = Via.PORTAL,
) -> ExportJob:
    """Queue a Student Data Export; the worker runs it after the commit. Who may ask is
    the door's question (``scoping.export_scope_check``)."""
    if fmt not in Format.values:
        raise InvalidInput(f"Unknown format {fmt!r}; use xlsx or csv.", field="format")
    if school is not None and school.organization_id != organization.pk:
        raise NotFound("No such school.", field="school")
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


@dataclass(frozen=True)
class Download:
    """A file handed to a person: open at its start (the web response closes it)."""

    file: BinaryIO
    name: str  # what the person's browser saves it as


def export_download(*, job: ExportJob, actor: User, via: str) -> Download:
    """The finished export's file, recorded as downloaded (``export_delivered``)."""
    path = media_path(job.file_name) if job.file_name else None
    if job.status != ExportJob.Status.DONE or path is None or not path.is_file():
        raise NotFound("The file is not ready or has expired.", field="job_id")
    export_delivered(job=job, actor=actor, via=via)
    name = f"student-data-{job.organization.site_code}-{job.pk}.{job.format}"
    return Download(path.open("rb"), name)


@transaction.atomic
def export_delivered(*, job: ExportJob, actor: User | None, via: str) -> None:
    """Record that the export reached the district (downloaded, or written to a file for
    it by the command). The first time is the job's ``downloaded_at``: the reminders and
    the checklist before the reset ask for the export until then."""
    ExportJob.unscoped.filter(pk=job.pk, downloaded_at__isnull=True).update(
        downloaded_at=timezone.now()
    )
    audit_record(
        action=AuditAction.EXPORT_DOWNLOADED,
        actor=actor,
        organization=job.organization,
        via=via,
        details={"export_job": job.pk},
    )


def export_write(
    path: Path,
    *,
    organization: Organization,
    school: School | None = None,
    fmt: str = Format.XLSX,
    max_rows: int | None = None,
    progress: Callable[[int], None] | None = None,
    via: str = Via.COMMAND,
) -> ExportJob:
    """Write the Student Data Export to ``path`` now (the command, for a district that
    gets its file by other means), as a finished job that was delivered: the reminders
    stop asking for it as after a download. The file is not kept here."""
    started = timezone.now()
    rows = write_export(
        path,
        organization=organization,
        school=school,
        fmt=fmt,
        max_rows=max_rows,
        progress=progress,
    )
    finished = timezone.now()
    with transaction.atomic():
        job = ExportJob.unscoped.create(
            organization=organization,
            school=school,
            format=fmt,
            status=ExportJob.Status.DONE,
            rows_done=rows,
            rows_total=rows,
            started_at=started,
            finished_at=finished,
            log=[{"at": finished.isoformat(), "message": f"Written to a file: {rows} student(s)."}],
        )
        audit_record(
            action=AuditAction.EXPORT_WRITTEN,
            organization=organization,
            via=via,
            details={"export_job": job.pk, "school": school.pk if school else None, "rows": rows},
        )
        export_delivered(job=job, actor=None, via=via)
    return job


def progress_reports_print(
    target: BinaryIO | Path,
    *,
    organization: Organization,
    students: QuerySet[Student],
    actor: User | None = None,
    via: str,
    selection: dict[str, int] | None = None,
    max_students: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the students' Student Progress reports into ``target`` (one PDF) and record
    that they were printed; returns the page count. ``selection`` is what was asked for
    (``school``, ``class``, ``student`` ids); ``max_students`` refuses a bigger selection
    before anything is written (a web request)."""
    total = students.count()
    if max_students is not None and total > max_students:
        raise InvalidInput(
            f"More than {max_students:,} students: choose a school or a class.",
            code="too_large",
            field="school",
        )
    pages = write_progress_reports(
        target, organization=organization, students=students, progress=progress
    )
    selection = selection or {}
    with transaction.atomic():
        ProgressReportPrint.unscoped.create(
            organization=organization,
            school_id=selection.get("school"),
            via=via,
            printed_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            action=AuditAction.PROGRESS_REPORTS_WRITTEN
            if via == Via.COMMAND
            else AuditAction.PROGRESS_REPORTS_DOWNLOADED,
            actor=actor,
            organization=organization,
            via=via,
            details={**selection, "students": total, "pages": pages},
        )
    return pages


def progress_reports_download(
    *,
    organization: Organization,
    students: QuerySet[Student],
    actor: User,
    via: str,
    selection: dict[str, int],
) -> Download:
    """Progress reports for a web request (the portal, the API), recorded as printed: at
    most REPORTS_PROGRESS_MAX_STUDENTS students, in a spooled file (a class stays in
    memory, a school goes to a temporary file)."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (the response closes it)
    try:
        progress_reports_print(
            spool,
            organization=organization,
            students=students,
            actor=actor,
            via=via,
            selection=selection,
            max_students=getattr(settings, "REPORTS_PROGRESS_MAX_STUDENTS", PROGRESS_MAX_STUDENTS),
        )
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return Download(spool, f"progress-reports-{organization.site_code}.pdf")
