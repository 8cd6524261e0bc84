import pytest

from yearend.learning.models import UsageSession
from yearend.organizations.models import School
from yearend.people.models import Student
from yearend.tenancy import (
    ResetPolicy,
    UnscopedTenantQuery,
    check_tenant_models,
    models_deleted_by_reset,
    tenant_models,
)

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def test_it_refuses_tenant_queries_that_name_no_organization():
    with pytest.raises(UnscopedTenantQuery, match="needs an organization"):
        list(Student.tenant.all())
    with pytest.raises(UnscopedTenantQuery):
        Student.tenant.filter(username="x")
    with pytest.raises(UnscopedTenantQuery):
        Student.tenant.of(None)


def test_it_scopes_tenant_queries_to_the_organization(org, other_org):
    schools = School.tenant.of(org)
    assert schools.count() == 2
    assert {school.organization_id for school in schools} == {org.pk}


def test_every_tenant_table_declares_what_a_reset_does_to_it():
    assert check_tenant_models() == []
    for model in tenant_models():
        assert model.reset_policy in (ResetPolicy.DELETE, ResetPolicy.RETAIN), model


def test_student_data_tables_are_deleted_by_the_reset():
    deleted = {m.__name__ for m in models_deleted_by_reset()}
    assert {
        "Student",
        "SchoolClass",
        "Enrollment",
        "TeacherAssignment",
        "UsageSession",
        "LessonProgress",
        "Assessment",
        "TokenBalance",
        "ThinkPointBalance",
        "Avatar",
        "PathwayPlacement",
        "FactFluency",
    } <= deleted
    assert UsageSession in models_deleted_by_reset()
    kept = {m.__name__ for m in tenant_models()} - deleted
    assert {"School", "User", "Licence", "SchoolMembership", "AuditEvent"} <= kept
