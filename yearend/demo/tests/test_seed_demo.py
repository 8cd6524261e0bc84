from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F

from yearend.audit.models import AuditEvent
from yearend.classes.models import Enrollment, SchoolClass, TeacherAssignment
from yearend.learning.models import (
    Assessment,
    Avatar,
    FactFluency,
    LessonProgress,
    PathwayPlacement,
    ThinkPointBalance,
    TokenBalance,
    UsageSession,
)
from yearend.organizations.grades import PREK_TO_2
from yearend.organizations.models import Licence, Organization, School
from yearend.people.models import Role, SchoolMembership, Student, User
from yearend.tenancy import models_deleted_by_reset

pytestmark = [pytest.mark.core, pytest.mark.django_db]
AS_OF = date(2024, 6, 20)


def _seed(seed=3, orgs=2, students=60):
    call_command(
        "seed_demo",
        "--organizations",
        str(orgs),
        "--students-per-org",
        str(students),
        "--seed",
        str(seed),
        "--as-of",
        AS_OF.isoformat(),
    )


def _fingerprint() -> dict[str, list]:
    """Content of every student-data table, with ids replaced by natural keys."""
    natural_keys = {
        "organization_id": dict(Organization.objects.values_list("pk", "site_code")),
        "school_id": dict(School.unscoped.values_list("pk", "name")),
        "student_id": dict(Student.unscoped.values_list("pk", "username")),
        "school_class_id": dict(SchoolClass.unscoped.values_list("pk", "sis_sourced_id")),
        "teacher_id": dict(User.objects.values_list("pk", "username")),
    }
    result = {}
    for model in models_deleted_by_reset():
        rows = []
        for values in model.unscoped.values():
            values.pop("id", None)
            values.pop("created_at", None)
            values.pop("password", None)  # salted hashes differ by design
            for column, keys in natural_keys.items():
                if column in values:
                    values[column] = keys[values[column]]
            rows.append(tuple(sorted((k, str(v)) for k, v in values.items())))
        result[model.__name__] = sorted(rows)
    return result


def _forget_everything():
    for model in models_deleted_by_reset():
        model.unscoped.all().delete()
    SchoolMembership.unscoped.all().delete()
    User.objects.all().delete()
    AuditEvent.objects.all().delete()
    Licence.unscoped.all().delete()
    School.unscoped.all().delete()
    Organization.objects.all().delete()


def test_it_seeds_the_promised_shape_of_data(capsys):
    _seed(orgs=2, students=60)
    orgs = Organization.objects.filter(site_code__startswith="DEMO")
    assert orgs.count() == 2
    org = orgs.first()
    students = Student.tenant.of(org)
    assert students.count() == 60
    per = 60
    sessions = UsageSession.tenant.of(org).count() / per
    lessons = LessonProgress.tenant.of(org).count() / per
    assert 100 <= sessions <= 140
    assert 50 <= lessons <= 70
    assert Assessment.tenant.of(org).count() == 3 * per
    young = students.filter(grade__in=PREK_TO_2).count()
    assert TokenBalance.tenant.of(org).count() == young
    assert ThinkPointBalance.tenant.of(org).count() == per - young
    assert Avatar.tenant.of(org).count() == per - young
    placements = (
        PathwayPlacement.tenant.of(org)
        .exclude(student__grade__in=PREK_TO_2)
        .values("student")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    assert set(placements) <= {1, 2, 3} and max(placements) >= 2
    assert Enrollment.tenant.of(org).count() == per
    assert TeacherAssignment.tenant.of(org).count() == SchoolClass.tenant.of(org).count() > 0
    assert FactFluency.tenant.of(org).exists()
    assert User.objects.filter(organization=org, role=Role.DISTRICT_ADMIN).count() == 1
    out = capsys.readouterr().out
    for login in (
        "demo001-district-admin",
        "demo001-school-admin",
        "demo001-teacher-1",
        "demo-csm",
        "demo-ops",
        "demo-ops-2",
    ):
        assert login in out


def test_it_is_deterministic_for_a_seed():
    _seed(seed=11, orgs=1, students=40)
    first = _fingerprint()
    _forget_everything()
    _seed(seed=11, orgs=1, students=40)
    assert _fingerprint() == first


def test_another_seed_gives_other_data():
    _seed(seed=1, orgs=1, students=30)
    first = _fingerprint()["UsageSession"]
    _seed(seed=2, orgs=1, students=30)
    assert _fingerprint()["UsageSession"] != first


def test_it_keeps_every_row_inside_its_organization():
    _seed(orgs=2, students=30)
    for student in Student.unscoped.select_related("school"):
        assert student.school.organization_id == student.organization_id
    for model in models_deleted_by_reset():
        if any(f.name == "student" for f in model._meta.fields):
            mismatched = model.unscoped.exclude(organization_id=F("student__organization"))
            assert not mismatched.exists(), model


def test_it_refuses_bad_arguments():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_demo", "--organizations", "0")
    assert not Organization.objects.exists()


def test_chunks_across_organizations_write_the_same_rows(monkeypatch):
    from yearend.demo import seeding

    monkeypatch.setattr(seeding, "STUDENTS_PER_CHUNK", 1000)  # all three in one chunk
    _seed(seed=5, orgs=3, students=30)
    whole = _fingerprint()
    _forget_everything()
    monkeypatch.setattr(seeding, "STUDENTS_PER_CHUNK", 7)  # chunks that straddle districts
    _seed(seed=5, orgs=3, students=30)
    assert _fingerprint() == whole


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger-free load is PostgreSQL")
def test_a_row_pointing_at_nothing_is_caught_after_a_trigger_free_load():
    from yearend.demo import seeding

    _seed(orgs=1, students=5)
    org = Organization.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('session_replication_role', 'replica', true)")
        cursor.execute(
            "INSERT INTO learning_tokenbalance (organization_id, student_id, tokens) "
            "VALUES (%s, %s, 1)",
            [org.pk, 2_000_000_000],
        )
        cursor.execute("SELECT set_config('session_replication_role', 'origin', true)")
    with pytest.raises(seeding.SeedReferencesBroken, match=r"learning_tokenbalance\.student_id"):
        seeding._check_references([org.pk])
