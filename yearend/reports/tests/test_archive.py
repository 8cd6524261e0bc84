from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from yearend.audit.models import AuditEvent
from yearend.people.models import Role, User
from yearend.reports.archive import (
    archive_destroy_expired,
    archive_for_reset,
    archive_freeze,
    report_settings_update,
    snapshot_hook,
)
from yearend.reports.services import media_path

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def test_the_archive_is_downloadable_then_destroyed_after_retention(client, seeded_org, outsider):
    archive = archive_freeze(organization=seeded_org, reset_run_id=7)
    assert archive.retention_days == 30 and archive.rows == 40
    assert archive_freeze(organization=seeded_org, reset_run_id=7).pk == archive.pk
    path = media_path(archive.file_name)
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert len(list(workbook["Students"].iter_rows())) == 41
    workbook.close()

    url = f"/reports/archives/{archive.pk}/download/"
    admin = User.objects.get(organization=seeded_org, role=Role.DISTRICT_ADMIN)
    client.force_login(admin)
    assert client.get(url).status_code == 200
    downloaded = AuditEvent.objects.get(action="reports.archive_downloaded")
    assert (downloaded.actor, downloaded.details["archive"]) == (admin, archive.pk)
    for refused in (
        User.objects.filter(organization=seeded_org, role=Role.SCHOOL_ADMIN).first(),
        User.objects.filter(organization=seeded_org, role=Role.TEACHER).first(),
        outsider,
    ):
        client.force_login(refused)
        assert client.get(url).status_code == 404

    # The clock moves: 29 days on it is kept, after 30 it is gone and the date recorded.
    assert archive_destroy_expired(timezone.now() + timedelta(days=29)) == 0
    assert path.exists()
    later = timezone.now() + timedelta(days=30, minutes=1)
    assert archive_destroy_expired(later) == 1
    assert archive_destroy_expired(later) == 0
    archive.refresh_from_db()
    assert archive.destroyed_at == later
    assert not path.exists()
    client.force_login(User.objects.get(organization=seeded_org, role=Role.DISTRICT_ADMIN))
    assert client.get(url).status_code == 404
    assert archive_for_reset(seeded_org, 7)["destroyed_at"] == later.isoformat()


def test_retention_zero_keeps_no_archive(seeded_org):
    admin = User.objects.get(organization=seeded_org, role=Role.DISTRICT_ADMIN)
    report_settings_update(actor=admin, organization=seeded_org, archive_retention_days=0)
    archive = archive_freeze(organization=seeded_org, reset_run_id=8)
    assert archive.file_name == "" and not archive.kept
    assert archive.destroyed_at is not None


def test_only_district_admins_change_retention(seeded_org):
    # The service trusts its caller; a door asks scoping first, which refuses a teacher.
    from yearend.errors import Forbidden
    from yearend.scoping import managed_organization

    teacher = User.objects.filter(organization=seeded_org, role=Role.TEACHER).first()
    with pytest.raises(Forbidden):
        managed_organization(teacher, seeded_org.site_code)


def test_the_reset_engine_calls_the_archive_hook(seeded_org):
    hooks = pytest.importorskip("yearend.resets.hooks")
    assert snapshot_hook in hooks.snapshot_hooks()

    class Run:
        organization = seeded_org
        id = 99
        cycle = "2024"

    assert snapshot_hook(Run()).pk == snapshot_hook(Run()).pk
