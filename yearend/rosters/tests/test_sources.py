"""Operators set up sync sources from the command line; the worker honours their schedule."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from yearend.audit.models import AuditEvent
from yearend.errors import Conflict, InvalidInput
from yearend.rosters.models import ImportRun, SyncSource
from yearend.rosters.services import sync_sources_check_all
from yearend.rosters.syncs.sources import schedule_minutes, sync_source_create, sync_source_is_due
from yearend.rosters.tests.bundles import roster_files, write_bundle

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def test_the_command_creates_lists_and_deletes_a_source(org, tmp_path, capsys):
    folder = tmp_path / "drop"
    call_command(
        "roster_source_create",
        "--org",
        org.site_code,
        "--name",
        "PowerSchool",
        "--folder",
        str(folder),
        "--schedule",
        "1h",
    )
    source = SyncSource.tenant.of(org).get()
    assert (source.name, source.folder, source.check_every_minutes) == (
        "PowerSchool",
        str(folder),
        60,
    )
    assert source.enabled
    assert AuditEvent.objects.filter(action="roster.source.create", organization=org).exists()

    call_command("roster_source_list")
    listed = capsys.readouterr().out
    assert org.site_code in listed and str(folder) in listed and "every 60 min" in listed

    call_command("roster_source_delete", "--org", org.site_code)
    assert not SyncSource.tenant.of(org).exists()
    assert AuditEvent.objects.filter(action="roster.source.delete", organization=org).exists()


def test_one_source_per_organization(org, other_org, tmp_path):
    sync_source_create(organization=org, folder=tmp_path / "a")
    with pytest.raises(Conflict, match="already has a sync source"):
        sync_source_create(organization=org, folder=tmp_path / "b")
    sync_source_create(organization=other_org, folder=tmp_path / "b")
    assert SyncSource.unscoped.count() == 2


@pytest.mark.parametrize(
    "folder, message",
    [("relative/path", "absolute path"), ("FILE", "not a folder")],
)
def test_a_bad_folder_is_refused(org, tmp_path, folder, message):
    if folder == "FILE":
        folder = tmp_path / "a-file.zip"
        folder.write_bytes(b"")
    with pytest.raises(InvalidInput, match=message):
        sync_source_create(organization=org, folder=folder)
    assert not SyncSource.tenant.of(org).exists()


def test_command_errors_are_one_line_with_an_exit_code(org, tmp_path):
    with pytest.raises(CommandError, match="not a schedule"):
        call_command(
            "roster_source_create", "--org", org.site_code, "--folder", "/x", "--schedule", "soon"
        )
    with pytest.raises(CommandError, match="Unknown organization"):
        call_command("roster_source_create", "--org", "NOPE99", "--folder", str(tmp_path))
    with pytest.raises(CommandError, match="has no sync source"):
        call_command("roster_source_delete", "--org", org.site_code)


def test_schedules_read_as_minutes():
    assert schedule_minutes("30") == 30
    assert schedule_minutes("30m") == 30
    assert schedule_minutes("6h") == 360
    assert schedule_minutes("1d") == 1440
    with pytest.raises(InvalidInput, match="at most every 5 minutes"):
        schedule_minutes("1m")


def test_the_worker_looks_at_a_source_only_when_its_schedule_says(org, tmp_path):
    write_bundle(tmp_path / "drop", roster_files(3))
    source = sync_source_create(organization=org, folder=tmp_path / "drop", every_minutes=60)
    assert sync_source_is_due(source)
    assert sync_sources_check_all() == 1
    assert ImportRun.tenant.of(org).count() == 1

    source.refresh_from_db()
    assert not sync_source_is_due(source, timezone.now() + timedelta(minutes=30))
    assert sync_source_is_due(source, timezone.now() + timedelta(minutes=60))
    assert sync_sources_check_all() == 0  # not due yet: the folder is not looked at
