"""Applying a bundle: people, classes and links arrive; re-importing changes nothing."""

import pytest

from yearend.classes.models import Enrollment, SchoolClass, TeacherAssignment
from yearend.organizations.models import School
from yearend.people.models import Student, User
from yearend.rosters.models import ImportRun
from yearend.rosters.services import roster_import
from yearend.rosters.tests.bundles import roster_files, set_mode, student, write_bundle

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def snapshot(org):
    return (
        sorted(
            Student.tenant.of(org).values_list(
                "id", "sis_sourced_id", "username", "first_name", "grade", "school_id", "epoch"
            )
        ),
        sorted(SchoolClass.tenant.of(org).values_list("id", "sis_sourced_id", "name")),
        sorted(Enrollment.tenant.of(org).values_list("school_class_id", "student_id")),
        sorted(TeacherAssignment.tenant.of(org).values_list("school_class_id", "teacher_id")),
        sorted(
            User.objects.filter(organization=org).values_list("id", "username", "role", "is_active")
        ),
    )


def test_it_applies_a_bulk_bundle(org, tmp_path):
    path = write_bundle(tmp_path / "b", roster_files(students=20, classes=2, teachers=2))
    run = roster_import(organization=org, path=path)
    assert run.status == ImportRun.Status.APPLIED, run.errors
    assert Student.tenant.of(org).count() == 20
    assert SchoolClass.tenant.of(org).count() == 2
    assert Enrollment.tenant.of(org).count() == 20
    assert TeacherAssignment.tenant.of(org).count() == 2
    teachers = User.objects.filter(organization=org, sis_sourced_id__startswith="t-")
    assert sorted(teachers.values_list("role", flat=True)) == ["teacher", "teacher"]
    assert not teachers.first().has_usable_password()
    # North Elementary existed by name: linked, not duplicated; West Primary is new.
    assert School.tenant.of(org).get(name="North Elementary").sis_sourced_id == "sch-n"
    assert School.tenant.of(org).filter(sis_sourced_id="sch-w").exists()
    assert run.counts["students"]["added"] == 20
    assert run.school_year == "2025"
    assert run.finished_at is not None


def test_it_changes_nothing_when_the_same_bundle_comes_again(org, tmp_path):
    path = write_bundle(tmp_path / "b", roster_files())
    roster_import(organization=org, path=path)
    before = snapshot(org)
    run = roster_import(organization=org, path=path)
    assert run.status == ImportRun.Status.APPLIED
    assert snapshot(org) == before
    assert all(c["added"] == c["changed"] == c["removed"] == 0 for c in run.counts.values())


def test_it_updates_changed_students_and_removes_absent_ones(org, tmp_path):
    files = roster_files(students=20)
    roster_import(organization=org, path=write_bundle(tmp_path / "a", files))
    files["users"] = [line for line in files["users"] if not line.startswith("s-19,")]
    files["enrollments"] = [line for line in files["enrollments"] if ",s-19," not in line]
    files["users"] = [
        student(3, grade="05", first="Renamed") if line.startswith("s-3,") else line
        for line in files["users"]
    ]
    run = roster_import(organization=org, path=write_bundle(tmp_path / "b", files))
    assert run.status == ImportRun.Status.APPLIED, run.message
    assert run.counts["students"] == {"existing": 20, "added": 0, "changed": 1, "removed": 1}
    assert not Student.tenant.of(org).filter(sis_sourced_id="s-19").exists()
    renamed = Student.tenant.of(org).get(sis_sourced_id="s-3")
    assert (renamed.first_name, renamed.grade) == ("Renamed", "05")
    assert Enrollment.tenant.of(org).count() == 19


def test_delta_files_apply_changes_and_honour_tobedeleted(org, tmp_path):
    roster_import(organization=org, path=write_bundle(tmp_path / "a", roster_files()))
    files = roster_files(students=0, classes=0, teachers=0)
    for name in ("users", "classes", "enrollments", "orgs", "academicSessions"):
        set_mode(files, name, "delta")
    files["users"].append(student(0, status="tobedeleted"))
    files["users"].append(student(100))
    files["enrollments"].append("e-x,active,2024-08-01,c-1,sch-n,s-100,student,false,,")
    files["enrollments"].append("e-y,tobedeleted,2024-08-01,c-1,sch-n,s-1,student,false,,")
    run = roster_import(organization=org, path=write_bundle(tmp_path / "b", files))
    assert run.status == ImportRun.Status.APPLIED, run.errors
    ids = set(Student.tenant.of(org).values_list("sis_sourced_id", flat=True))
    assert "s-0" not in ids and "s-100" in ids and len(ids) == 20
    pairs = set(
        Enrollment.tenant.of(org).values_list(
            "school_class__sis_sourced_id", "student__sis_sourced_id"
        )
    )
    assert ("c-1", "s-100") in pairs and ("c-1", "s-1") not in pairs
    assert SchoolClass.tenant.of(org).count() == 2  # absent from a delta file: kept


def test_a_student_whose_link_a_reset_deleted_comes_back_as_a_new_account(org, tmp_path):
    path = write_bundle(tmp_path / "b", roster_files(students=5))
    roster_import(organization=org, path=path)
    old = Student.tenant.of(org).get(sis_sourced_id="s-1")
    org.student_epoch += 1
    org.save(update_fields=["student_epoch"])
    files = roster_files(students=5)
    files["academicSessions"][1] = files["academicSessions"][1].replace("2025", "2026")
    run = roster_import(organization=org, path=write_bundle(tmp_path / "next", files))
    assert run.status == ImportRun.Status.APPLIED, run.message
    new = Student.tenant.of(org).get(sis_sourced_id="s-1", epoch=org.student_epoch)
    assert new.pk != old.pk
    assert run.counts["students"]["added"] == 5


def test_other_organizations_are_untouched(org, other_org, tmp_path):
    path = write_bundle(tmp_path / "b", roster_files())
    roster_import(organization=other_org, path=path)
    before = snapshot(other_org)
    files = roster_files()
    files["users"] = [
        line.replace("teacher", "tutor") if line.startswith("t-") else line
        for line in files["users"]
    ]
    roster_import(organization=org, path=write_bundle(tmp_path / "c", roster_files(students=3)))
    assert snapshot(other_org) == before


def test_a_delta_that_deletes_a_class_and_student_skips_their_enrollments(org, tmp_path):
    roster_import(organization=org, path=write_bundle(tmp_path / "a", roster_files()))
    files = roster_files(students=0, classes=0, teachers=0)
    for name in ("users", "classes", "enrollments", "orgs", "academicSessions"):
        set_mode(files, name, "delta")
    files["classes"].append("c-1,tobedeleted,2024-08-01,Math 1,03,,,scheduled,,sch-n,,,,")
    files["users"].append(student(0, status="tobedeleted"))
    files["enrollments"].append("e-a,active,2024-08-01,c-1,sch-n,s-2,student,false,,")
    files["enrollments"].append("e-b,active,2024-08-01,c-0,sch-n,s-0,student,false,,")
    run = roster_import(organization=org, path=write_bundle(tmp_path / "b", files))
    assert run.status == ImportRun.Status.REFUSED
    assert any("'s-0' is not a student" in e for e in run.errors), run.errors
    files["enrollments"].pop()
    run = roster_import(organization=org, path=write_bundle(tmp_path / "c", files))
    assert run.status == ImportRun.Status.APPLIED, run.errors
    assert not SchoolClass.tenant.of(org).filter(sis_sourced_id="c-1").exists()
    assert not Enrollment.tenant.of(org).filter(school_class__sis_sourced_id="c-1").exists()
