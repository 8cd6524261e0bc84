"""Safety holds (DESIGN rules 12, 13): big removals, big changes, empty users.csv, last year."""

import pytest

from yearend.audit.models import AuditEvent
from yearend.errors import Conflict
from yearend.people.models import Student
from yearend.rosters.models import HeldBundlePart, HeldImport, ImportRun, ImportSettings
from yearend.rosters.services import (
    held_import_approve,
    held_import_discard,
    held_imports_discard_for_reset,
    roster_import,
)
from yearend.rosters.tests.bundles import USERS_HEADER, roster_files, student, write_bundle

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture
def imported(org, tmp_path):
    run = roster_import(organization=org, path=write_bundle(tmp_path / "a", roster_files(20)))
    assert run.status == ImportRun.Status.APPLIED
    return org


def without_students(files, gone):
    files["users"] = [row for row in files["users"] if row.split(",")[0] not in gone]
    files["enrollments"] = [row for row in files["enrollments"] if row.split(",")[5] not in gone]
    return files


def test_removing_more_than_ten_percent_is_held(imported, tmp_path):
    files = without_students(roster_files(20), {"s-0", "s-1", "s-2"})
    run = roster_import(organization=imported, path=write_bundle(tmp_path / "b", files))
    assert run.status == ImportRun.Status.HELD
    assert "would remove 3 of 20 students (15%, more than 10%)" in run.message
    assert Student.tenant.of(imported).count() == 20
    held = HeldImport.tenant.of(imported).get()
    assert held.preview["counts"]["students"]["removed"] == 3


def test_removing_ten_percent_or_less_applies(imported, tmp_path):
    files = without_students(roster_files(20), {"s-0", "s-1"})
    run = roster_import(organization=imported, path=write_bundle(tmp_path / "b", files))
    assert run.status == ImportRun.Status.APPLIED, run.message
    assert Student.tenant.of(imported).count() == 18


def test_changing_more_than_three_quarters_is_held(imported, tmp_path):
    files = roster_files(20)
    files["users"] = [
        student(int(row.split(",")[0][2:]), first="New") if row.startswith("s-") else row
        for row in files["users"]
    ]
    run = roster_import(organization=imported, path=write_bundle(tmp_path / "b", files))
    assert run.status == ImportRun.Status.HELD
    assert "would change 20 of 20 students" in run.message


def test_an_empty_users_file_is_always_held(org, tmp_path):
    files = roster_files(0, classes=0, teachers=0)
    files["users"] = [USERS_HEADER]
    run = roster_import(organization=org, path=write_bundle(tmp_path / "b", files))
    assert run.status == ImportRun.Status.HELD
    assert "users.csv is empty or has only its header" in run.message


def test_thresholds_are_settings_per_organization(imported, tmp_path):
    ImportSettings.unscoped.create(organization=imported, max_removed_percent=20)
    files = without_students(roster_files(20), {"s-0", "s-1", "s-2"})
    run = roster_import(organization=imported, path=write_bundle(tmp_path / "b", files))
    assert run.status == ImportRun.Status.APPLIED


def test_approving_a_hold_applies_it(imported, tmp_path, district_admin):
    files = without_students(roster_files(20), {"s-0", "s-1", "s-2"})
    roster_import(organization=imported, path=write_bundle(tmp_path / "b", files))
    held = HeldImport.tenant.of(imported).get()
    run = held_import_approve(held=held, acting_user=district_admin)
    assert run.status == ImportRun.Status.APPLIED
    assert Student.tenant.of(imported).count() == 17
    held.refresh_from_db()
    assert held.decision == "approved" and held.decided_by == district_admin.username
    with pytest.raises(Conflict):
        held_import_approve(held=held, acting_user=district_admin)


def test_discarding_a_hold_changes_nothing(imported, tmp_path, district_admin):
    files = without_students(roster_files(20), {"s-0", "s-1", "s-2"})
    roster_import(organization=imported, path=write_bundle(tmp_path / "b", files))
    held = HeldImport.tenant.of(imported).get()
    held_import_discard(held=held, acting_user=district_admin)
    held.refresh_from_db()
    assert held.decision == "discarded"
    assert Student.tenant.of(imported).count() == 20


def test_the_first_sync_after_a_reset_bringing_last_years_roster_is_held(imported, tmp_path):
    imported.student_epoch += 1
    imported.save(update_fields=["student_epoch"])
    run = roster_import(organization=imported, path=write_bundle(tmp_path / "b", roster_files(20)))
    assert run.status == ImportRun.Status.HELD
    assert "first roster since the school-year reset" in run.message
    assert not Student.tenant.of(imported).filter(epoch=imported.student_epoch).exists()


def test_a_hold_made_before_the_reset_cannot_be_approved_after_it(
    imported, tmp_path, district_admin
):
    files = without_students(roster_files(20), {"s-0", "s-1", "s-2"})
    roster_import(organization=imported, path=write_bundle(tmp_path / "b", files))
    held = HeldImport.tenant.of(imported).get()
    imported.student_epoch += 1  # the reset's cut-over
    imported.save(update_fields=["student_epoch"])
    with pytest.raises(Conflict, match="held before the school-year reset"):
        held_import_approve(held=held, acting_user=district_admin)
    held.refresh_from_db()
    assert held.decision == "pending"
    assert not Student.tenant.of(imported).filter(epoch=imported.student_epoch).exists()


def test_the_reset_discards_pending_holds_and_their_bundles(imported, tmp_path):
    files = without_students(roster_files(20), {"s-0", "s-1", "s-2"})
    roster_import(organization=imported, path=write_bundle(tmp_path / "b", files))
    held = HeldImport.tenant.of(imported).get()
    assert HeldBundlePart.tenant.of(imported).filter(held=held).exists()
    assert held_imports_discard_for_reset(organization=imported, run_id=7) == 1
    held.refresh_from_db()
    assert (held.decision, held.decided_by) == ("discarded", "reset run 7")
    assert not HeldBundlePart.tenant.of(imported).exists()
    assert AuditEvent.objects.filter(action="roster.hold.discard", organization=imported).exists()
    # A resumed reset finds nothing left to discard.
    assert held_imports_discard_for_reset(organization=imported, run_id=7) == 0
