from datetime import timedelta

import pytest

from yearend.people.models import Role, User
from yearend.reports.models import ExportJob
from yearend.reports.services import export_files_expire, export_job_run, export_request, media_path

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def test_it_records_progress_and_deletes_the_file_when_it_expires(
    seeded_org, django_capture_on_commit_callbacks
):
    admin = User.objects.get(organization=seeded_org, role=Role.DISTRICT_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        job = export_request(actor=admin, organization=seeded_org, fmt="csv")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert (job.rows_done, job.rows_total, job.percent) == (40, 40, 100)
    assert [entry["message"] for entry in job.log] == [
        "Started: 40 student(s), csv.",
        "Finished: 40 student(s).",
    ]
    path = media_path(job.file_name)
    assert path.exists()

    assert export_files_expire(now=job.expires_at - timedelta(minutes=1)) == 0
    assert path.exists()
    assert export_files_expire(now=job.expires_at + timedelta(minutes=1)) == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED
    assert job.file_name == ""
    assert not path.exists()


def test_a_job_runs_once_however_often_it_is_delivered(seeded_org):
    admin = User.objects.get(organization=seeded_org, role=Role.DISTRICT_ADMIN)
    job = export_request(actor=admin, organization=seeded_org)  # not committed: not enqueued
    assert export_job_run(job_id=job.pk).status == ExportJob.Status.DONE
    assert export_job_run(job_id=job.pk) is None


def test_an_unknown_format_is_refused(seeded_org):
    from yearend.errors import InvalidInput

    admin = User.objects.get(organization=seeded_org, role=Role.DISTRICT_ADMIN)
    with pytest.raises(InvalidInput, match="Unknown format"):
        export_request(actor=admin, organization=seeded_org, fmt="xls")
    assert not ExportJob.tenant.of(seeded_org).exists()
