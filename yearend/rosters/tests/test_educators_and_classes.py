"""Educators, their schools and classes, and teacher assignments: compared and written by
the database from the staged rows, with the same outcomes a row-by-row import had."""

import pytest

from yearend.classes.models import SchoolClass, TeacherAssignment
from yearend.people.models import Role, SchoolMembership, User
from yearend.rosters.models import HeldImport, ImportRun
from yearend.rosters.services import roster_import
from yearend.rosters.tests.bundles import klass, roster_files, set_mode, teacher, write_bundle

pytestmark = [pytest.mark.core, pytest.mark.django_db]
APPLIED, REFUSED, HELD = (ImportRun.Status.APPLIED, ImportRun.Status.REFUSED, ImportRun.Status.HELD)


def imported(org, folder, files) -> ImportRun:
    run = roster_import(organization=org, path=write_bundle(folder, files))
    assert run.status == APPLIED, (run.message, run.errors)
    return run


def schools_of(org, sourced_id: str) -> list[str]:
    return sorted(
        SchoolMembership.tenant.of(org)
        .filter(user__sis_sourced_id=sourced_id)
        .values_list("school__sis_sourced_id", flat=True)
    )


def assigned(org) -> list[tuple[str, str]]:
    return sorted(
        TeacherAssignment.tenant.of(org).values_list(
            "school_class__sis_sourced_id", "teacher__sis_sourced_id"
        )
    )


def delta_files() -> dict[str, list[str]]:
    files = roster_files(students=0, classes=0, teachers=0)
    for name in ("users", "classes", "enrollments", "orgs", "academicSessions"):
        set_mode(files, name, "delta")
    return files


def test_educators_arrive_with_their_roles_schools_and_classes(org, tmp_path):
    files = roster_files(students=4, classes=2, teachers=2)
    files["users"].append(teacher(7, school='"sch-n,sch-w"', role="principal"))
    files["users"].append(teacher(8, school="dist-1", role="districtAdministrator"))
    run = imported(org, tmp_path / "a", files)
    assert run.counts["educators"]["added"] == 4
    principal = User.objects.get(organization=org, sis_sourced_id="t-7")
    assert (principal.role, principal.email, principal.is_active) == (
        "school_admin",
        "t7@x.org",
        True,
    )
    assert not principal.has_usable_password()
    assert schools_of(org, "t-7") == ["sch-n", "sch-w"]
    # A district administrator works for the district, at no one school.
    assert User.objects.get(sis_sourced_id="t-8").role == Role.DISTRICT_ADMIN
    assert schools_of(org, "t-8") == []
    assert assigned(org) == [("c-0", "t-0"), ("c-1", "t-1")]
    assert run.counts["teacher_assignments"]["added"] == 2


def test_a_changed_teacher_moves_school_and_class_and_keeps_the_account(org, tmp_path):
    imported(org, tmp_path / "a", roster_files(students=4, classes=2, teachers=2))
    before = User.objects.get(organization=org, sis_sourced_id="t-0").pk
    files = roster_files(students=4, classes=2, teachers=2)
    files["users"] = [
        line.replace("teacher0,,Tea,", "teacher0,,Teodora,").replace(
            ",sch-n,teacher,", ",sch-w,teacher,"
        )
        if line.startswith("t-0,")
        else line
        for line in files["users"]
    ]
    files["enrollments"] = [
        line.replace(",t-0,teacher", ",t-1,teacher") for line in files["enrollments"]
    ]
    run = imported(org, tmp_path / "b", files)
    t0 = User.objects.get(organization=org, sis_sourced_id="t-0")
    assert (t0.pk, t0.first_name) == (before, "Teodora")
    assert schools_of(org, "t-0") == ["sch-w"]
    assert assigned(org) == [("c-0", "t-1"), ("c-1", "t-1")]
    assert run.counts["educators"]["changed"] == 1
    assert run.counts["teacher_assignments"] == {
        "existing": 2,
        "added": 1,
        "changed": 0,
        "removed": 1,
    }


def test_an_absent_educator_is_deactivated_and_a_returning_one_comes_back(org, tmp_path):
    # Ten teachers stay: one of eleven leaving is within the safety hold's 10%.
    files = roster_files(students=4, classes=2, teachers=10)
    files["users"].append(teacher(15))
    imported(org, tmp_path / "a", files)
    returning = User.objects.get(organization=org, sis_sourced_id="t-15").pk
    imported(org, tmp_path / "b", roster_files(students=4, classes=2, teachers=10))
    gone = User.objects.get(organization=org, sis_sourced_id="t-15")
    # Retained across imports and resets, but no longer working anywhere.
    assert not gone.is_active and schools_of(org, "t-15") == []
    run = imported(org, tmp_path / "c", files)
    back = User.objects.get(organization=org, sis_sourced_id="t-15")
    assert (back.pk, back.is_active) == (returning, True)
    assert schools_of(org, "t-15") == ["sch-n"]
    assert run.counts["educators"]["changed"] == 1


def test_a_delta_links_stored_classes_and_teachers_and_deletes_one_assignment(org, tmp_path):
    imported(org, tmp_path / "a", roster_files(students=4, classes=2, teachers=2))
    files = delta_files()
    # Neither c-1 nor t-0 is in this bundle: both are stored.
    files["enrollments"].append("e-new,active,2024-08-01,c-1,sch-n,t-0,teacher,false,,")
    files["enrollments"].append("e-1-t-1,tobedeleted,2024-08-01,c-1,sch-n,t-1,teacher,false,,")
    imported(org, tmp_path / "b", files)
    assert assigned(org) == [("c-0", "t-0"), ("c-1", "t-0")]


def test_a_delta_deletes_a_teacher_with_the_schools_and_classes_they_had(org, tmp_path):
    imported(org, tmp_path / "a", roster_files(students=4, classes=2, teachers=2))
    files = delta_files()
    files["users"].append(teacher(1).replace(",active,", ",tobedeleted,", 1))
    run = imported(org, tmp_path / "b", files)
    assert not User.objects.get(organization=org, sis_sourced_id="t-1").is_active
    assert schools_of(org, "t-1") == []
    assert assigned(org) == [("c-0", "t-0")]
    assert run.counts["educators"]["removed"] == 1
    # ... and a teacher the delta deleted can no longer be given a class.
    files = delta_files()
    files["enrollments"].append("e-x,active,2024-08-01,c-0,sch-n,t-1,teacher,false,,")
    run = roster_import(organization=org, path=write_bundle(tmp_path / "c", files))
    assert run.status == REFUSED
    assert "enrollments.csv:2: userSourcedId: 't-1' is not an educator in users.csv" in run.errors


def test_a_teacher_enrollment_naming_no_educator_is_refused_with_its_line(org, tmp_path):
    files = roster_files(students=4, classes=2, teachers=2)
    files["enrollments"].append("e-x,active,2024-08-01,c-0,sch-n,t-9,teacher,false,,")
    files["enrollments"].append("e-y,active,2024-08-01,c-0,sch-n,s-1,aide,false,,")
    run = roster_import(organization=org, path=write_bundle(tmp_path / "a", files))
    assert run.status == REFUSED
    assert run.errors == [
        "enrollments.csv:8: userSourcedId: 't-9' is not an educator in users.csv",
        "enrollments.csv:9: userSourcedId: 's-1' is not an educator in users.csv",
    ]
    assert not User.objects.filter(organization=org, sis_sourced_id__startswith="t-").exists()


def test_a_username_another_account_has_is_refused(org, other_org, make_user, tmp_path):
    make_user(Role.TEACHER, other_org, username="teacher1")
    run = roster_import(organization=org, path=write_bundle(tmp_path / "a", roster_files()))
    assert run.status == REFUSED
    assert run.errors == [
        "users.csv: username: 'teacher1' (sourcedId t-1) is already the username of another account"
    ]
    assert not SchoolClass.tenant.of(org).exists()


def test_an_enrollment_in_an_unknown_or_rejected_class_is_reported_once(org, tmp_path):
    files = roster_files(students=4, classes=2, teachers=2)
    files["classes"].append(klass(5, school="dist-1"))  # a district is not a school
    files["enrollments"].append("e-x,active,2024-08-01,c-5,sch-n,s-1,student,false,,")
    files["enrollments"].append("e-y,active,2024-08-01,c-9,sch-n,t-0,teacher,false,,")
    files["enrollments"].append("e-z,active,2024-08-01,c-9,sch-n,p-1,guardian,false,,")
    run = roster_import(organization=org, path=write_bundle(tmp_path / "a", files))
    assert run.status == REFUSED
    assert run.errors == [
        "classes.csv:4: schoolSourcedId: 'dist-1' is a district, not a school",
        "enrollments.csv:9: classSourcedId: 'c-9' is not a class in classes.csv",
        "enrollments.csv:10: classSourcedId: 'c-9' is not a class in classes.csv",
    ]


def test_a_changed_class_is_updated_in_place(org, tmp_path):
    imported(org, tmp_path / "a", roster_files(students=4, classes=2, teachers=2))
    before = SchoolClass.tenant.of(org).get(sis_sourced_id="c-1").pk
    files = roster_files(students=4, classes=2, teachers=2)
    files["classes"][2] = klass(1, school="sch-w").replace("Math 1,03", "Algebra,09")
    run = imported(org, tmp_path / "b", files)
    c1 = SchoolClass.tenant.of(org).get(sis_sourced_id="c-1")
    assert (c1.pk, c1.name, c1.grade, c1.school.sis_sourced_id) == (
        before,
        "Algebra",
        "ALG",
        "sch-w",
    )
    assert run.counts["classes"]["changed"] == 1


def test_a_held_import_previews_names_of_educators_and_classes(org, tmp_path):
    imported(org, tmp_path / "a", roster_files(students=20, classes=4, teachers=4))
    files = roster_files(students=20, classes=1, teachers=1)
    run = roster_import(organization=org, path=write_bundle(tmp_path / "b", files))
    assert run.status == HELD, run.message
    samples = HeldImport.tenant.of(org).get(run=run).preview["samples"]
    assert samples["educators"]["removed"] == ["teacher1", "teacher2", "teacher3"]
    assert samples["classes"]["removed"] == ["Math 1", "Math 2", "Math 3"]
    assert samples["classes"]["added"] == samples["educators"]["added"] == []
    # Nothing was applied while it waits.
    assert User.objects.get(organization=org, sis_sourced_id="t-3").is_active


def test_enrollments_of_guardians_and_of_deleted_classes_are_skipped_and_counted(org, tmp_path):
    imported(org, tmp_path / "a", roster_files(students=4, classes=2, teachers=2))
    files = delta_files()
    files["classes"].append(klass(1, status="tobedeleted"))
    files["enrollments"].append("e-p,active,2024-08-01,c-0,sch-n,p-1,guardian,false,,")
    files["enrollments"].append("e-q,active,2024-08-01,c-1,sch-n,s-3,student,false,,")
    files["enrollments"].append("e-r,active,2024-08-01,c-1,sch-n,t-1,teacher,false,,")
    run = imported(org, tmp_path / "b", files)
    assert "enrollments.csv: 3 enrollment(s) of deleted classes or parents skipped" in run.notices
    assert not SchoolClass.tenant.of(org).filter(sis_sourced_id="c-1").exists()
    assert assigned(org) == [("c-0", "t-0")]
