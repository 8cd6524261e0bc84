"""Who sees what: every role, and an outsider who must get nothing."""

import pytest

from yearend import scoping
from yearend.classes.models import Enrollment, SchoolClass, TeacherAssignment
from yearend.organizations.models import School
from yearend.people.models import Role, Student

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture
def classroom(org, make_user):
    """Two schools; a teacher with one class of two students, another class elsewhere."""
    north, south = School.tenant.of(org).order_by("name")
    teacher = make_user(Role.TEACHER, org, schools=[north], username="teach")
    school_admin = make_user(Role.SCHOOL_ADMIN, org, schools=[south], username="south-admin")
    mine = SchoolClass.unscoped.create(organization=org, school=north, name="Mine")
    theirs = SchoolClass.unscoped.create(organization=org, school=south, name="Theirs")
    TeacherAssignment.unscoped.create(organization=org, school_class=mine, teacher=teacher)
    students = []
    for n, (school, klass) in enumerate([(north, mine), (north, mine), (south, theirs)]):
        s = Student.unscoped.create(
            organization=org,
            school=school,
            username=f"s{n}",
            first_name="S",
            last_name=str(n),
            grade="04",
            password="!",
        )
        Enrollment.unscoped.create(organization=org, school_class=klass, student=s)
        students.append(s)
    return {
        "teacher": teacher,
        "school_admin": school_admin,
        "students": students,
        "mine": mine,
        "theirs": theirs,
        "north": north,
        "south": south,
    }


def test_an_outsider_sees_nothing_of_another_organization(org, outsider, classroom):
    assert not scoping.organizations_for(outsider).filter(pk=org.pk).exists()
    assert not scoping.schools_for(outsider, org).exists()
    assert not scoping.students_for(outsider, org).exists()
    assert not scoping.classes_for(outsider, org).exists()
    with pytest.raises(scoping.NotVisible):
        scoping.organization_for(outsider, org.site_code)
    assert not scoping.can_manage_organization(outsider, org)


def test_a_district_admin_sees_the_whole_organization(org, district_admin, classroom):
    assert list(scoping.organizations_for(district_admin)) == [org]
    assert scoping.schools_for(district_admin).count() == 2
    assert scoping.students_for(district_admin).count() == 3
    assert scoping.can_manage_organization(district_admin, org)


def test_a_teacher_sees_only_their_classes_and_schools(org, classroom):
    teacher = classroom["teacher"]
    assert list(scoping.schools_for(teacher)) == [classroom["north"]]
    assert list(scoping.classes_for(teacher)) == [classroom["mine"]]
    assert set(scoping.students_for(teacher)) == set(classroom["students"][:2])
    assert not scoping.can_manage_organization(teacher, org)


def test_a_school_admin_sees_only_their_school(org, classroom):
    admin = classroom["school_admin"]
    assert list(scoping.schools_for(admin)) == [classroom["south"]]
    assert list(scoping.students_for(admin)) == [classroom["students"][2]]
    with pytest.raises(scoping.NotVisible):
        scoping.school_for(admin, org, classroom["north"].pk)


def test_vendor_staff_see_every_organization(org, other_org, csm, ops):
    for user in (csm, ops):
        assert set(scoping.organizations_for(user)) == {org, other_org}
        assert scoping.can_manage_organization(user, other_org)


def test_nobody_signed_in_sees_nothing(org):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not scoping.organizations_for(anonymous).exists()
    assert not scoping.students_for(anonymous).exists()


def test_an_inactive_account_sees_nothing(org, district_admin):
    district_admin.is_active = False
    district_admin.save(update_fields=["is_active"])
    assert not scoping.organizations_for(district_admin).exists()


def test_students_of_a_past_epoch_are_invisible(org, district_admin, classroom):
    org.student_epoch = 2
    org.save(update_fields=["student_epoch"])
    assert not scoping.students_for(district_admin).exists()
    assert not scoping.classes_for(district_admin).exists()
