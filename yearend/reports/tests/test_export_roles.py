"""Who may export what, through the API as a signed-in browser calls it: the rules
scoping decides for every door."""

import io

import openpyxl
import pytest

from yearend.organizations.models import School
from yearend.people.models import Role, User
from yearend.reports.export import HEADINGS
from yearend.reports.models import ExportJob

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def _user(org, role):
    return User.objects.filter(organization=org, role=role).order_by("id").first()


def _rows(response):
    data = b"".join(response.streaming_content)
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = list(workbook["Students"].iter_rows(values_only=True))[1:]
    workbook.close()
    return rows


def _export(client, user, org, django_capture_on_commit_callbacks, **data):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            f"/api/v1/organizations/{org.site_code}/exports", data, content_type="application/json"
        )


def test_a_district_admin_exports_the_whole_organization(
    client, seeded_org, django_capture_on_commit_callbacks
):
    response = _export(
        client,
        _user(seeded_org, Role.DISTRICT_ADMIN),
        seeded_org,
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 202
    job = ExportJob.tenant.of(seeded_org).get(pk=response.json()["id"])
    assert job.status == ExportJob.Status.DONE
    assert job.rows_done == job.rows_total == 40
    status = client.get(f"/api/v1/exports/{job.pk}").json()
    assert status["percent"] == 100
    assert len(_rows(client.get(status["download"]))) == 40


def test_a_teacher_cannot_export_the_organization(
    client, seeded_org, django_capture_on_commit_callbacks
):
    response = _export(
        client, _user(seeded_org, Role.TEACHER), seeded_org, django_capture_on_commit_callbacks
    )
    assert response.status_code == 403
    school = School.tenant.of(seeded_org).first()
    response = _export(
        client,
        _user(seeded_org, Role.TEACHER),
        seeded_org,
        django_capture_on_commit_callbacks,
        school_id=school.pk,
    )
    assert response.status_code in (403, 404)
    assert not ExportJob.tenant.of(seeded_org).exists()


def test_a_school_admin_gets_only_their_school(
    client, seeded_org, django_capture_on_commit_callbacks
):
    admin = _user(seeded_org, Role.SCHOOL_ADMIN)
    own = admin.schools.get()
    other = School.tenant.of(seeded_org).exclude(pk=own.pk).first()

    assert _export(client, admin, seeded_org, django_capture_on_commit_callbacks).status_code == 403
    refused = _export(
        client, admin, seeded_org, django_capture_on_commit_callbacks, school_id=other.pk
    )
    assert refused.status_code == 404
    assert not ExportJob.tenant.of(seeded_org).exists()

    response = _export(
        client, admin, seeded_org, django_capture_on_commit_callbacks, school_id=own.pk
    )
    assert response.status_code == 202
    status = client.get(f"/api/v1/exports/{response.json()['id']}").json()
    rows = _rows(client.get(status["download"]))
    assert rows
    assert {r[HEADINGS.index("School")] for r in rows} == {own.name}


def test_an_outsider_sees_nothing(client, seeded_org, outsider, django_capture_on_commit_callbacks):
    response = _export(
        client,
        _user(seeded_org, Role.DISTRICT_ADMIN),
        seeded_org,
        django_capture_on_commit_callbacks,
    )
    job_id = response.json()["id"]
    client.force_login(outsider)
    refused = _export(client, outsider, seeded_org, django_capture_on_commit_callbacks)
    assert refused.status_code == 404
    assert client.get(f"/api/v1/exports/{job_id}").status_code == 404
    assert client.get(f"/api/v1/exports/{job_id}/download").status_code == 404
    assert client.get(f"/reports/exports/{job_id}/download/").status_code == 404
    teacher = _user(seeded_org, Role.TEACHER)
    client.force_login(teacher)
    assert client.get(f"/api/v1/exports/{job_id}/download").status_code == 404
    assert client.get(f"/reports/exports/{job_id}/download/").status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, seeded_org):
    response = client.get(f"/reports/{seeded_org.site_code}/progress.pdf")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
