"""Home (date, countdown, state, the seed's steps), what will happen, the reset and its history."""

from datetime import date

import pytest
from django.urls import reverse

from yearend.demo.seeding import seed_demo
from yearend.people.models import Role
from yearend.resetdates.selectors import organization_today
from yearend.resetdates.services import reset_cycle_create, reset_dates_assign
from yearend.resets.tests.helpers import start_reset

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture
def seeded(db):
    organization = seed_demo(
        organizations=1, students_per_org=10, seed=5, as_of=date(2024, 6, 20)
    ).organizations[0]
    year = organization_today(organization).year + 1
    cycle = reset_cycle_create(year=year, defaults=[date(year, 7, 16)])
    reset_dates_assign(cycle=cycle, organizations=[organization])
    return organization


def test_home_shows_date_countdown_source_and_the_four_steps(client, seeded, make_user):
    admin = make_user(Role.DISTRICT_ADMIN, seeded)
    client.force_login(admin)
    page = client.get(reverse("portal:organization", args=[seeded.site_code])).content.decode()
    assert "In " in page and " days" in page
    assert "Assigned default" in page
    for title in (
        "Download the Student Data Export",
        "Print Student Progress reports",
        "Clean up educators who have left",
        "Update the SIS roster for the new school year",
    ):
        assert title in page
    assert "Not downloaded yet" in page


def test_a_district_admins_home_counts_active_educators_in_a_fixed_number_of_queries(
    client, seeded, make_user, django_assert_max_num_queries
):
    from yearend.people.models import User

    admin = make_user(Role.DISTRICT_ADMIN, seeded)
    gone = make_user(Role.TEACHER, seeded)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    active = User.objects.filter(organization=seeded, is_active=True).count()
    client.force_login(admin)
    # Session, user, organization, date, run, schools, the steps and counts, notices: the
    # page's cost under load is its round trips, and the steps are one of them.
    with django_assert_max_num_queries(8):
        page = client.get(reverse("portal:organization", args=[seeded.site_code]))
    assert f" · {active} educators</p>" in page.content.decode()


def test_a_running_reset_on_the_home_page_costs_no_extra_query(
    client, seeded, make_user, ops, django_assert_max_num_queries
):
    run, _ = start_reset(seeded, acting_user=ops, via="portal", advance=False)
    client.force_login(make_user(Role.DISTRICT_ADMIN, seeded))
    with django_assert_max_num_queries(8):  # the run's cycle is the date's, read once
        page = client.get(reverse("portal:organization", args=[seeded.site_code]))
    assert f"{run.cycle} cycle" in page.content.decode()


def test_the_export_step_is_done_once_an_export_is_downloaded(client, seeded, make_user):
    from django.test import TestCase

    from yearend.reports.models import ExportJob
    from yearend.reports.services import export_request

    admin = make_user(Role.DISTRICT_ADMIN, seeded)
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = export_request(actor=admin, organization=seeded)
    client.force_login(admin)
    client.get(reverse("portal:export-download", args=[job.pk]))
    assert ExportJob.unscoped.get(pk=job.pk).downloaded_at is not None
    page = client.get(reverse("portal:organization", args=[seeded.site_code])).content.decode()
    assert "Downloaded " in page


def test_what_will_happen_shows_live_counts_per_category_and_school(client, seeded, make_user):
    from yearend.people.models import Student

    admin = make_user(Role.DISTRICT_ADMIN, seeded)
    client.force_login(admin)
    page = client.get(reverse("portal:preview", args=[seeded.site_code])).content.decode()
    students = Student.tenant.of(seeded).count()
    assert f'Student accounts</th><td class="num">{students}</td>' in page
    assert "Educator accounts" in page and "Deletion certificates" in page


def test_a_teacher_sees_the_date_read_only_and_no_manager_links(client, seeded):
    from yearend.classes.models import TeacherAssignment

    teacher = TeacherAssignment.tenant.of(seeded).select_related("teacher").first().teacher
    client.force_login(teacher)
    page = client.get(reverse("portal:organization", args=[seeded.site_code])).content.decode()
    assert "Reset date" in page
    assert reverse("portal:date", args=[seeded.site_code]) not in page
    assert "Before the reset" in page and "Download the Student Data Export" not in page


def test_the_reset_page_shows_steps_schools_certificate_and_history(client, seeded, make_user, ops):
    run, _ = start_reset(seeded, acting_user=ops, via="portal")
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    admin = make_user(Role.DISTRICT_ADMIN, seeded)
    client.force_login(admin)
    page = client.get(reverse("portal:reset", args=[seeded.site_code])).content.decode()
    assert "Complete and verified" in page
    assert "Delete student data" in page
    assert 'hx-trigger="every 2s"' not in page  # nothing left to poll
    cert = reverse("portal:run-certificate", args=[seeded.site_code, run.pk, "pdf"])
    assert cert in page
    response = client.get(cert)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    fragment = client.get(reverse("portal:reset-progress", args=[seeded.site_code]))
    assert fragment.status_code == 200 and b"<html" not in fragment.content
    data = client.get(reverse("portal:data", args=[seeded.site_code])).content.decode()
    assert "Year-end archive" in data and "Deletion certificate" in data


def test_a_running_reset_is_polled(client, seeded, make_user, ops):
    from yearend.resets.models import ResetRun

    run, _ = start_reset(seeded, acting_user=ops, via="portal", advance=False)
    assert ResetRun.unscoped.get(pk=run.pk).status == "running"
    admin = make_user(Role.DISTRICT_ADMIN, seeded)
    client.force_login(admin)
    page = client.get(reverse("portal:reset-progress", args=[seeded.site_code])).content.decode()
    assert 'hx-trigger="every 2s"' in page and "Running now" in page


def test_a_teachers_home_counts_their_own_classes_and_students(client, seeded):
    from yearend.classes.models import TeacherAssignment
    from yearend.scoping import classes_for, students_for

    teacher = TeacherAssignment.tenant.of(seeded).select_related("teacher").first().teacher
    client.force_login(teacher)
    page = client.get(reverse("portal:organization", args=[seeded.site_code])).content.decode()
    students = students_for(teacher, seeded).count()
    classes = classes_for(teacher, seeded).count()
    assert f"{students} students · {classes} classes" in page
