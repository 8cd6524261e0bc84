import io
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from yearend.demo.seeding import seed_demo
from yearend.organizations.models import School
from yearend.people.models import Student
from yearend.people.services import student_authenticate
from yearend.resets.certificates import signature_valid
from yearend.resets.engine import reset_advance, reset_resume
from yearend.resets.hooks import _SNAPSHOT_HOOKS, register_snapshot_hook
from yearend.resets.models import ResetRun, Status, Step
from yearend.resets.purge import UnsafeStatement, execute_guarded
from yearend.resets.selectors import reset_preview
from yearend.resets.tests.helpers import (
    assert_kept,
    organization_content,
    shared_content,
    start_reset,
)
from yearend.rosters.models import HeldBundlePart, HeldImport, ImportRun, SyncState
from yearend.rosters.syncs.held_bundles import held_bundle_store
from yearend.rosters.syncs.pausing import sync_pause_manual, sync_pause_reason
from yearend.tenancy import models_deleted_by_reset

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture
def two_orgs(db):
    result = seed_demo(organizations=2, students_per_org=30, seed=1, as_of=date(2024, 6, 20))
    return result.organizations


def test_it_resets_one_organization_and_leaves_the_other_identical(two_orgs):
    home, away = two_orgs
    away_before = organization_content(away.pk)
    home_kept_before = organization_content(home.pk, retained_only=True)
    shared_before = shared_content()
    preview = reset_preview(home)

    run, created = start_reset(home)

    run.refresh_from_db()
    assert created
    assert run.status == Status.SUCCEEDED, run.error
    assert run.step == Step.DONE
    assert organization_content(away.pk) == away_before
    assert_kept(home_kept_before, organization_content(home.pk, retained_only=True))
    assert shared_content() == shared_before
    assert run.counts == preview["delete"]
    assert run.verification["ok"]


def test_it_leaves_nothing_of_the_organization_behind(two_orgs):
    home, _ = two_orgs
    assert Student.tenant.of(home).exists()

    start_reset(home)

    leftovers = {
        m._meta.label: m.tenant.of(home).count()
        for m in models_deleted_by_reset()
        if m.tenant.of(home).exists()
    }
    assert leftovers == {}


def test_old_students_cannot_sign_in_after_the_reset(two_orgs):
    home, _ = two_orgs
    student = Student.tenant.of(home).first()
    assert student_authenticate(
        site_code=home.site_code, username=student.username, password="student-demo"
    )

    start_reset(home)

    assert not student_authenticate(
        site_code=home.site_code, username=student.username, password="student-demo"
    )


def test_it_issues_a_signed_certificate_without_student_data(two_orgs):
    home, _ = two_orgs
    names = set(Student.tenant.of(home).values_list("username", flat=True)) | set(
        Student.tenant.of(home).values_list("last_name", flat=True)
    )

    run, _ = start_reset(home)
    run.refresh_from_db()

    assert signature_valid(run.certificate)
    assert run.certificate["deleted"]["students"] == 30
    text = Path(run.certificate_json_path).read_text()
    assert not any(name in text for name in names)
    assert Path(run.certificate_pdf_path).read_bytes()[:5] == b"%PDF-"
    forged = {**run.certificate, "deleted": {**run.certificate["deleted"], "students": 1}}
    assert not signature_valid(forged)


def test_it_resumes_the_syncs_it_paused_but_not_a_manual_pause(two_orgs):
    home, away = two_orgs
    sync_pause_manual(organization=away)

    start_reset(home)
    start_reset(away)

    assert sync_pause_reason(home) is None
    assert sync_pause_reason(away) == "manual"


def test_it_runs_exactly_once_per_cycle(two_orgs):
    home, _ = two_orgs
    first, created = start_reset(home)
    second, created_again = start_reset(home)

    assert created and not created_again
    assert first.pk == second.pk
    assert ResetRun.tenant.of(home).count() == 1


def test_a_failed_step_keeps_syncs_paused_and_resume_finishes(two_orgs):
    home, away = two_orgs
    away_before = organization_content(away.pk)
    calls = []

    def broken(run):
        calls.append(run.pk)
        if len(calls) == 1:
            raise RuntimeError("archive store unreachable")

    register_snapshot_hook(broken)
    try:
        run, _ = start_reset(home)
        run.refresh_from_db()
        assert run.status == Status.FAILED
        assert run.failed_step == Step.SNAPSHOT
        assert "archive store unreachable" in run.error
        assert sync_pause_reason(home) == "reset"
        assert Student.tenant.of(home).count() == 30  # nothing deleted before the snapshot

        reset_resume(run=run)
        run = reset_advance(run.pk, inline=True)
    finally:
        _SNAPSHOT_HOOKS.remove(broken)

    assert run.status == Status.SUCCEEDED
    assert sync_pause_reason(home) is None
    assert not Student.tenant.of(home).exists()
    assert organization_content(away.pk) == away_before


def test_new_students_imported_after_the_cut_over_are_not_purged(two_orgs, monkeypatch):
    home, _ = two_orgs
    from yearend.resets import engine

    original = engine._step_purge

    def import_then_purge(run):
        home.refresh_from_db()
        school = School.tenant.of(home).first()
        Student.unscoped.get_or_create(
            organization=home,
            epoch=home.student_epoch,
            username="new-kid",
            defaults={
                "school": school,
                "first_name": "New",
                "last_name": "Kid",
                "grade": "03",
                "password": "!",
            },
        )
        return original(run)

    monkeypatch.setitem(engine._STEPS, Step.PURGE, import_then_purge)
    run, _ = start_reset(home)
    run.refresh_from_db()

    assert run.status == Status.SUCCEEDED, run.error
    assert list(Student.tenant.of(home).values_list("username", flat=True)) == ["new-kid"]


def test_it_refuses_a_purge_statement_without_the_tenant_key(two_orgs):
    home, _ = two_orgs
    with connection.cursor() as cursor:
        with pytest.raises(UnsafeStatement):
            execute_guarded(
                cursor, "DELETE FROM people_student WHERE id IN (%s)", [1], organization_id=home.pk
            )
        with pytest.raises(UnsafeStatement):
            execute_guarded(
                cursor,
                "DELETE FROM people_student WHERE organization_id = %s AND id IN (%s)",
                [home.pk + 1, 1],
                organization_id=home.pk,
            )
    assert Student.tenant.of(home).count() == 30


def test_advancing_a_finished_run_again_changes_nothing(two_orgs):
    home, _ = two_orgs
    run, _ = start_reset(home)
    before = organization_content(home.pk)
    run.refresh_from_db()
    certificate = run.certificate

    reset_advance(run.pk)

    run.refresh_from_db()
    assert organization_content(home.pk) == before
    assert run.certificate == certificate
    assert SyncState.tenant.of(home).get().reset_paused_at is None


def test_verification_fails_the_run_when_a_row_is_left_behind(two_orgs, monkeypatch):
    home, _ = two_orgs
    from yearend.resets import engine

    original = engine._step_verify

    def leave_one_behind(run):
        school = School.tenant.of(home).first()
        Student.unscoped.get_or_create(
            organization=home,
            epoch=run.cutover_epoch - 1,
            username="straggler",
            defaults={"school": school, "first_name": "S", "last_name": "T", "grade": "03"},
        )
        return original(run)

    monkeypatch.setitem(engine._STEPS, Step.VERIFY, leave_one_behind)
    run, _ = start_reset(home)

    assert run.status == Status.FAILED
    assert run.failed_step == Step.VERIFY
    assert "students" in run.error
    assert not run.certificate
    assert sync_pause_reason(home) == "reset"


def test_the_purge_plan_reaches_every_table_the_reset_deletes():
    from yearend.resets.purge import purge_plan

    reached = {p.root for p in purge_plan()} | {
        child for p in purge_plan() for child, _ in p.children
    }
    assert reached == set(models_deleted_by_reset())


def test_a_pending_roster_hold_is_discarded_with_its_bundle(two_orgs):
    home, away = two_orgs
    holds = {}
    for org in (home, away):
        held = HeldImport.unscoped.create(
            organization=org,
            run=ImportRun.unscoped.create(
                organization=org,
                source=ImportRun.Source.SYNC,
                status=ImportRun.Status.HELD,
                started_at=timezone.now(),
                student_epoch=org.student_epoch,
            ),
            reasons=["would remove 3 of 20 students"],
        )
        held_bundle_store(held, io.BytesIO(b"last year's roster, with students' names"))
        holds[org.pk] = held

    run, _ = start_reset(home)

    assert run.status == Status.SUCCEEDED, run.error
    home_hold, away_hold = (HeldImport.unscoped.get(pk=holds[o.pk].pk) for o in (home, away))
    assert (home_hold.decision, home_hold.decided_by) == ("discarded", f"reset run {run.pk}")
    assert not HeldBundlePart.tenant.of(home).exists()
    assert "1 held roster import(s) discarded" in [entry["message"] for entry in run.log]
    # Another organization's hold is not the reset's business.
    assert away_hold.decision == "pending" and HeldBundlePart.tenant.of(away).exists()
