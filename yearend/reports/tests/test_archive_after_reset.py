"""The archive end to end with the reset engine: frozen at the snapshot, downloadable after
the reset while the students are gone, destroyed when its retention ends."""

from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from yearend.people.models import Role, Student, User
from yearend.reports.archive import archive_destroy_expired, archive_for_reset
from yearend.reports.models import YearEndArchive
from yearend.reports.services import media_path

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def test_the_archive_outlives_the_reset_for_its_retention_only(client, seeded_org):
    helpers = pytest.importorskip("yearend.resets.tests.helpers")
    before = Student.tenant.of(seeded_org).filter(epoch=seeded_org.student_epoch).count()

    run, _ = helpers.start_reset(seeded_org)
    assert run.status == "succeeded", run.error
    assert not Student.tenant.of(seeded_org).exists()

    archive = YearEndArchive.tenant.of(seeded_org).get(reset_run_id=run.pk)
    assert archive.rows == before == 40
    workbook = openpyxl.load_workbook(media_path(archive.file_name), read_only=True)
    assert len(list(workbook["Students"].iter_rows())) == before + 1
    workbook.close()

    run.refresh_from_db()
    cited = run.certificate["year_end_archive"]
    assert (cited["archive_id"], cited["rows"], cited["retention_days"]) == (archive.pk, 40, 30)
    assert cited["destroyed_at"] is None
    from yearend.resets.certificates import signature_valid

    assert signature_valid(run.certificate)

    client.force_login(User.objects.get(organization=seeded_org, role=Role.DISTRICT_ADMIN))
    url = f"/reports/archives/{archive.pk}/download/"
    assert client.get(url).status_code == 200

    later = timezone.now() + timedelta(days=31)
    assert archive_destroy_expired(later) == 1
    assert client.get(url).status_code == 404
    assert not media_path(archive.file_name).exists()
    assert archive_for_reset(seeded_org, run.pk)["destroyed_at"] == later.isoformat()
