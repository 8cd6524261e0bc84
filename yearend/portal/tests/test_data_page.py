"""Data: start the export (plain form and htmx), watch it, download it; progress reports."""

import io
from datetime import date

import openpyxl
import pytest
from django.test import TestCase
from django.urls import reverse

from yearend.audit.models import AuditEvent
from yearend.demo.seeding import seed_demo
from yearend.organizations.models import School
from yearend.people.models import Role
from yearend.reports.models import ExportJob, ProgressReportPrint

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture
def seeded_org(db):
    return seed_demo(
        organizations=1, students_per_org=12, seed=3, as_of=date(2024, 6, 20)
    ).organizations[0]


def _admin(make_user, organization, role=Role.DISTRICT_ADMIN, schools=()):
    return make_user(role, organization, schools=schools)


def test_a_district_admin_starts_the_export_with_htmx_and_downloads_it(
    client, seeded_org, make_user
):
    admin = _admin(make_user, seeded_org)
    client.force_login(admin)
    site = seeded_org.site_code
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("portal:export-start", args=[site]),
            {"school": "", "format": "xlsx"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    job = ExportJob.tenant.of(seeded_org).get()
    assert AuditEvent.objects.filter(action="reports.export_requested", via="portal").exists()
    # The fragment polls until the job is done, then offers the download.
    fragment = client.get(reverse("portal:export-job", args=[site, job.pk])).content.decode()
    assert "Download the Student Data Export" in fragment
    assert 'hx-trigger="every 1s"' not in fragment
    download = client.get(reverse("portal:export-download", args=[job.pk]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book.active.max_row > 1
    job.refresh_from_db()
    assert job.downloaded_at is not None
    assert AuditEvent.objects.filter(action="reports.export_downloaded", via="portal").exists()


def test_the_plain_form_redirects_to_the_data_page_listing_the_job(client, seeded_org, make_user):
    client.force_login(_admin(make_user, seeded_org))
    site = seeded_org.site_code
    response = client.post(reverse("portal:export-start", args=[site]), {"format": "csv"})
    assert response.status_code == 302
    page = client.get(reverse("portal:data", args=[site])).content.decode()
    assert "Whole organization" in page


def test_a_school_admin_exports_only_a_school_of_theirs(client, seeded_org, make_user):
    schools = list(School.tenant.of(seeded_org).order_by("pk"))
    admin = _admin(make_user, seeded_org, Role.SCHOOL_ADMIN, schools=[schools[0]])
    client.force_login(admin)
    site = seeded_org.site_code
    page = client.get(reverse("portal:data", args=[site])).content.decode()
    assert "The whole organization" not in page and schools[0].name in page
    refused = client.post(reverse("portal:export-start", args=[site]), {"school": ""})
    assert refused.status_code == 302  # back to the page with the service's message
    assert not ExportJob.tenant.of(seeded_org).exists()
    if len(schools) > 1:
        other = client.post(
            reverse("portal:export-start", args=[site]), {"school": str(schools[1].pk)}
        )
        assert other.status_code == 404
    ok = client.post(reverse("portal:export-start", args=[site]), {"school": str(schools[0].pk)})
    assert ok.status_code == 302
    assert ExportJob.tenant.of(seeded_org).get().school == schools[0]


def test_a_teacher_prints_progress_reports_of_their_classes_and_it_is_recorded(client, seeded_org):
    from yearend.classes.models import TeacherAssignment

    assignment = TeacherAssignment.tenant.of(seeded_org).select_related("teacher").first()
    teacher = assignment.teacher
    client.force_login(teacher)
    site = seeded_org.site_code
    page = client.get(reverse("portal:data", args=[site])).content.decode()
    assert "Start the export" not in page
    url = reverse("portal:progress-reports", args=[site])
    assert f"{url}?class={assignment.school_class_id}" in page
    response = client.get(url, {"class": assignment.school_class_id})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    event = AuditEvent.objects.get(action="reports.progress_reports_downloaded")
    assert event.actor == teacher and event.via == "portal"
    assert event.details["class"] == assignment.school_class_id
    printed = ProgressReportPrint.tenant.of(seeded_org).get()
    assert (printed.printed_by, printed.via, printed.school) == (teacher, "portal", None)


def test_progress_reports_of_a_class_outside_reach_are_404_and_not_recorded(
    client, seeded_org, make_user
):
    from yearend.classes.models import SchoolClass

    teacher = make_user(Role.TEACHER, seeded_org)
    klass = SchoolClass.tenant.of(seeded_org).first()
    client.force_login(teacher)
    response = client.get(
        reverse("portal:progress-reports", args=[seeded_org.site_code]), {"class": klass.pk}
    )
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="reports.progress_reports_downloaded").exists()
    assert not ProgressReportPrint.tenant.of(seeded_org).exists()


def test_someone_elses_export_job_is_not_visible_to_a_school_admin(client, seeded_org, make_user):
    da = _admin(make_user, seeded_org)
    sa = _admin(make_user, seeded_org, Role.SCHOOL_ADMIN)
    from yearend.reports.services import export_request

    job = export_request(actor=da, organization=seeded_org)
    client.force_login(sa)
    url = reverse("portal:export-job", args=[seeded_org.site_code, job.pk])
    assert client.get(url).status_code == 404


def test_a_refused_htmx_export_shows_the_services_message(client, seeded_org, make_user):
    client.force_login(_admin(make_user, seeded_org, Role.SCHOOL_ADMIN))
    response = client.post(
        reverse("portal:export-start", args=[seeded_org.site_code]),
        {"school": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200  # htmx swaps only 2xx
    assert "School administrators export their own school" in response.content.decode()
    assert not ExportJob.tenant.of(seeded_org).exists()
