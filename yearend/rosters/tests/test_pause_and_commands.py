"""Pauses refuse uploads and skip syncs; the commands' exit codes and JSON."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from yearend.people.models import Student
from yearend.rosters.models import ImportRun, SyncSource
from yearend.rosters.services import roster_import, sync_source_check
from yearend.rosters.syncs.pausing import (
    sync_pause_for_reset,
    sync_pause_manual,
    sync_resume_after_reset,
)
from yearend.rosters.tests.bundles import roster_files, write_bundle

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def test_a_manual_upload_while_paused_is_refused_saying_why(org, tmp_path, district_admin):
    sync_pause_manual(organization=org, acting_user=district_admin)
    run = roster_import(organization=org, path=write_bundle(tmp_path / "b", roster_files()))
    assert run.status == ImportRun.Status.REFUSED
    assert f"paused by {district_admin.username}" in run.message
    assert not Student.tenant.of(org).exists()


def test_a_sync_during_a_reset_is_skipped_then_applied_after(org, tmp_path):
    drop = tmp_path / "drop"
    write_bundle(drop / "monday", roster_files())
    source = SyncSource.unscoped.create(organization=org, folder=str(drop))
    sync_pause_for_reset(organization=org, run_id=1, wait_seconds=0)
    run = sync_source_check(source)
    assert run.status == ImportRun.Status.SKIPPED
    assert "reset" in run.message
    assert sync_source_check(source) is None  # recorded once, not every five minutes
    sync_resume_after_reset(organization=org, run_id=1)
    source.refresh_from_db()
    run = sync_source_check(source)
    assert run.status == ImportRun.Status.APPLIED
    assert Student.tenant.of(org).count() == 20
    source.refresh_from_db()
    assert sync_source_check(source) is None  # the same bundle is imported once


def test_import_command_exit_codes(org, tmp_path):
    good = write_bundle(tmp_path / "good", roster_files())
    out = StringIO()
    call_command("import_oneroster", str(good), "--org", org.site_code, "--dry-run", stdout=out)
    assert not Student.tenant.of(org).exists()
    call_command("import_oneroster", str(good), "--org", org.site_code, "--json", stdout=out)
    assert Student.tenant.of(org).count() == 20

    bad = roster_files()
    bad["users"][3] = bad["users"][3].replace("student", "pupil")
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "import_oneroster",
            str(write_bundle(tmp_path / "bad", bad)),
            "--org",
            org.site_code,
            stdout=out,
        )
    assert refused.value.returncode == 1
    assert "users.csv:4: role: 'pupil'" in out.getvalue()

    shrunk = roster_files(5)
    with pytest.raises(CommandError) as held:
        call_command(
            "import_oneroster",
            str(write_bundle(tmp_path / "s", shrunk)),
            "--org",
            org.site_code,
            stdout=StringIO(),
        )
    assert held.value.returncode == 3


def test_import_command_json_prints_the_run_record(org, tmp_path):
    out = StringIO()
    path = write_bundle(tmp_path / "b", roster_files())
    call_command("import_oneroster", str(path), "--org", org.site_code, "--json", stdout=out)
    record = json.loads(out.getvalue())
    assert record["status"] == "applied"
    assert record["counts"]["students"]["added"] == 20
    assert record["duration_seconds"] is not None


def test_sync_command_pauses_resumes_and_reports(org):
    out = StringIO()
    call_command("sync", "pause", "--org", org.site_code, stdout=out)
    call_command("sync", "status", "--org", org.site_code, "--json", stdout=(out := StringIO()))
    assert json.loads(out.getvalue())["paused_by_hand"] is True
    call_command("sync", "resume", "--org", org.site_code, stdout=(out := StringIO()))
    assert "syncs running" in out.getvalue()


def test_an_unknown_site_code_is_refused(tmp_path, db):
    with pytest.raises(CommandError) as error:
        call_command("import_oneroster", str(tmp_path), "--org", "NOPE")
    assert error.value.returncode == 1


def test_make_oneroster_writes_a_bundle_that_imports(org, tmp_path):
    call_command(
        "make_oneroster",
        str(tmp_path / "g.zip"),
        "--students",
        "300",
        "--classes",
        "20",
        stdout=StringIO(),
    )
    run = roster_import(organization=org, path=tmp_path / "g.zip")
    assert run.status == ImportRun.Status.APPLIED, run.errors
    assert run.counts["students"]["added"] == 300
    assert run.counts["enrollments"]["added"] == 300 * 4
