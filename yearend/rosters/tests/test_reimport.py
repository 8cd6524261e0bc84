"""Re-importing the bundle applied last: recognised cheaply, yet checked against the database."""

import pytest

from yearend.classes.models import Enrollment, SchoolClass, TeacherAssignment
from yearend.organizations.models import School
from yearend.people.models import SchoolMembership, Student, User
from yearend.rosters.importer.integrity import enrollments_orphaned
from yearend.rosters.models import ImportRun
from yearend.rosters.services import roster_import
from yearend.rosters.tests.bundles import roster_files, write_bundle
from yearend.rosters.tests.test_import import snapshot

pytestmark = [pytest.mark.core, pytest.mark.django_db]

UNCHANGED = "Nothing changed: the same bundle"


def state(org):
    memberships = SchoolMembership.tenant.of(org).values_list("user_id", "school_id")
    return (*snapshot(org), sorted(memberships))


def test_it_recognises_the_bundle_it_applied_last_and_counts_as_a_full_comparison(org, tmp_path):
    path = write_bundle(tmp_path / "b", roster_files(students=12))
    first = roster_import(organization=org, path=path)
    assert first.fingerprint
    compared = roster_import(organization=org, path=path, dry_run=True)  # the full path
    again = roster_import(organization=org, path=path)
    assert again.status == ImportRun.Status.APPLIED
    assert again.message.startswith(UNCHANGED), again.message
    assert again.counts == compared.counts
    assert again.school_year == first.school_year == "2025"
    assert again.notices == first.notices
    # The run it recorded serves the next re-import in turn.
    assert roster_import(organization=org, path=path).message.startswith(UNCHANGED)


def _rename_student(org):
    Student.tenant.of(org).filter(sis_sourced_id="s-3").update(first_name="Edited")


def _drop_enrollment(org):
    Enrollment.tenant.of(org).filter(student__sis_sourced_id="s-4").delete()


def _move_enrollment(org):
    other = SchoolClass.tenant.of(org).get(sis_sourced_id="c-1")
    Enrollment.tenant.of(org).filter(
        student__sis_sourced_id="s-0", school_class__sis_sourced_id="c-0"
    ).update(school_class=other)


def _rename_class(org):
    SchoolClass.tenant.of(org).filter(sis_sourced_id="c-0").update(name="Renamed by hand")


def _drop_assignment(org):
    TeacherAssignment.tenant.of(org).filter(teacher__sis_sourced_id="t-0").delete()


def _deactivate_educator(org):
    User.objects.filter(organization=org, sis_sourced_id="t-1").update(is_active=False)


def _drop_membership(org):
    SchoolMembership.tenant.of(org).filter(user__sis_sourced_id="t-1").delete()


@pytest.mark.parametrize(
    "edit",
    [
        _rename_student,
        _drop_enrollment,
        _move_enrollment,
        _rename_class,
        _drop_assignment,
        _deactivate_educator,
        _drop_membership,
    ],
)
def test_a_change_made_in_the_database_since_is_compared_and_put_right(org, tmp_path, edit):
    # Five teachers: one educator put right is a small change, not one to hold.
    path = write_bundle(tmp_path / "b", roster_files(students=12, teachers=5))
    roster_import(organization=org, path=path)
    applied = state(org)
    edit(org)
    assert state(org) != applied
    run = roster_import(organization=org, path=path)
    assert run.status == ImportRun.Status.APPLIED, run.message
    assert not run.message.startswith(UNCHANGED)
    assert state(org) == applied


def test_after_a_reset_the_same_bundle_is_read_again_in_full(org, tmp_path):
    path = write_bundle(tmp_path / "b", roster_files(students=5))
    roster_import(organization=org, path=path)
    org.student_epoch += 1
    org.save(update_fields=["student_epoch"])
    run = roster_import(organization=org, path=path)
    assert not run.message.startswith(UNCHANGED)
    assert run.counts["students"]["added"] == 5


def test_a_changed_bundle_is_read_in_full(org, tmp_path):
    roster_import(organization=org, path=write_bundle(tmp_path / "a", roster_files(students=5)))
    run = roster_import(
        organization=org, path=write_bundle(tmp_path / "b", roster_files(students=6))
    )
    assert run.counts["students"]["added"] == 1


def test_no_enrollment_is_left_pointing_outside_its_organization(org, other_org, tmp_path):
    """The importer's set-based check stands in for the enrollment table's foreign keys."""
    roster_import(organization=org, path=write_bundle(tmp_path / "a", roster_files(students=4)))
    assert Enrollment.tenant.of(org).count() == 4
    assert enrollments_orphaned(org) == 0
    # A forged enrollment of another organization's student: the next import that writes
    # enrollments proves the organization's links and refuses, changing nothing.
    stranger = Student.unscoped.create(
        organization=other_org,
        school=School.tenant.of(other_org).first()
        or School.unscoped.create(organization=other_org, name="Away School"),
        username="stranger",
        first_name="Str",
        last_name="Anger",
        grade="03",
        password="!",
    )
    klass = SchoolClass.tenant.of(org).get(sis_sourced_id="c-0")
    Enrollment.unscoped.create(organization=org, school_class=klass, student=stranger)
    assert enrollments_orphaned(org) == 1
    before = snapshot(org)
    run = roster_import(organization=org, path=write_bundle(tmp_path / "b", roster_files()))
    assert run.status == ImportRun.Status.REFUSED
    assert "not this organization's" in run.message
    assert snapshot(org) == before
