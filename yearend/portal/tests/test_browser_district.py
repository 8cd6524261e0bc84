"""In Chromium: a district administrator's August, end to end.

Refused a holiday with its name shown, then choosing an allowed day; starting the export,
watching it through htmx and opening the downloaded file; approving a held import;
removing an educator after confirmation; the reset page with its certificate.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.core.cache import cache

from yearend.audit.models import AuditEvent
from yearend.demo.seeding import seed_demo
from yearend.people.models import Role, Student, User
from yearend.portal.tests.conftest import first_weekday_holiday
from yearend.portal.tests.test_syncs_and_educators import held_import
from yearend.resetdates import rules
from yearend.resetdates.models import OrganizationResetDate
from yearend.resetdates.selectors import organization_today
from yearend.resetdates.services import reset_cycle_create, reset_dates_assign
from yearend.testing.browser import axe_check, screenshot, sign_in

pytestmark = [pytest.mark.browser]


@pytest.fixture(autouse=True)
def no_throttle_left_over():
    cache.clear()


@pytest.fixture
def seeded(transactional_db):
    organization = seed_demo(
        organizations=1, students_per_org=12, seed=7, as_of=date(2024, 6, 20)
    ).organizations[0]
    year = organization_today(organization).year + 1
    cycle = reset_cycle_create(year=year, defaults=[date(year, 7, 16), date(year, 8, 13)])
    reset_dates_assign(cycle=cycle, organizations=[organization])
    return organization


def test_a_holiday_is_refused_with_its_name_then_an_allowed_day_is_chosen(
    page, org, dated, district_admin
):
    holiday = first_weekday_holiday(org, dated)
    name = rules.holiday_name(holiday, country=org.country, subdivision=org.subdivision)
    sign_in(page, "home-da")
    page.get_by_role("link", name="Change the date", exact=True).first.click()
    page.get_by_label("Type a date").fill(holiday.isoformat())
    page.get_by_role("button", name="Check this date").click()
    refusal = page.locator(".refusal")
    refusal.wait_for()
    assert f"is a holiday ({name})" in refusal.inner_text()
    assert page.get_by_role("button", name="Confirm the new date").count() == 0
    axe_check(page, label="date refused")
    screenshot(page, "district-date-refused")

    # The calendar offers only allowed days; choose the first one after the holiday.
    button = page.locator("button.day.allowed:not(.current)").nth(10)
    chosen = date.fromisoformat(button.get_attribute("value"))
    button.click()
    page.get_by_role("button", name="Confirm the new date").wait_for()
    axe_check(page, label="date review")
    screenshot(page, "district-date-confirm")
    page.get_by_role("button", name="Confirm the new date").click()
    page.get_by_text(f"The reset date is now {rules.format_day(chosen)}").wait_for()
    axe_check(page, label="home with a message")
    assert OrganizationResetDate.tenant.of(org).get().reset_date == chosen
    assert AuditEvent.objects.filter(action="resetdates.date_set", via="portal").exists()
    assert "Chosen by a district administrator" in page.content()


def test_the_export_is_started_watched_downloaded_and_opened(page, seeded, make_user, tmp_path):
    make_user(Role.DISTRICT_ADMIN, seeded, username="seeded-da")
    sign_in(page, "seeded-da")
    page.goto(f"/org/{seeded.site_code}/data/")
    for fmt, label in (("xlsx", "Excel (.xlsx)"), ("csv", "CSV")):
        page.get_by_label("Format").select_option(label=label)
        page.get_by_role("button", name="Start the export").click()
        link = page.locator("#export-new").get_by_role(
            "link", name=f"Download the Student Data Export ({fmt})"
        )
        link.wait_for()
        with page.expect_download() as info:
            link.click()
        path = tmp_path / f"export.{fmt}"
        info.value.save_as(path)
        students = Student.tenant.of(seeded).filter(epoch=seeded.student_epoch).count()
        if fmt == "xlsx":
            book = openpyxl.load_workbook(path, read_only=True)
            assert book.sheetnames == ["About this export", "Students"]
            rows = list(book["Students"].iter_rows(values_only=True))
        else:
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        assert len(rows) == students + 1, fmt  # a header and one row per student
    axe_check(page, label="data after exports")
    screenshot(page, "district-data-exported")
    page.goto(f"/org/{seeded.site_code}/")
    assert page.locator("li.done", has_text="Download the Student Data Export").count() == 1


def test_approving_a_held_import(page, org, district_admin, tmp_path):
    held = held_import(org, tmp_path)
    sign_in(page, "home-da")
    page.locator("nav.main-nav").get_by_role("link", name="Syncs").click()
    article = page.locator("article.held")
    assert "would remove 3 of 20 students" in article.inner_text()
    axe_check(page, label="syncs with a held import")
    screenshot(page, "district-syncs-held")
    article.get_by_role("button", name="Approve and apply").click()
    page.get_by_text("Approved and applied").wait_for()
    axe_check(page, label="syncs after approval")
    held.refresh_from_db()
    assert held.decision == "approved"
    assert Student.tenant.of(org).count() == 17
    assert page.locator("article.held").count() == 0


def test_removing_educators_after_confirmation(page, org, district_admin, make_user):
    from datetime import timedelta

    from django.utils import timezone

    leavers = [make_user(Role.TEACHER, org, username=f"leaver-{n}") for n in range(2)]
    stayer = make_user(Role.TEACHER, org, username="stayer")
    User.objects.filter(pk__in=[u.pk for u in leavers]).update(
        date_joined=timezone.now() - timedelta(days=400)
    )
    sign_in(page, "home-da")
    page.locator("nav.main-nav").get_by_role("link", name="Educators").click()
    page.get_by_label("not in the latest roster from the SIS").uncheck()
    page.get_by_label("not signed in for").check()
    page.get_by_label("Number of days").fill("90")
    page.get_by_role("button", name="Show").click()
    for leaver in leavers:
        page.get_by_label(f"Select {leaver.username}").check()
    assert page.get_by_label("Select stayer").count() == 0
    page.get_by_role("button", name="Review the selected educators").click()
    page.get_by_role("heading", name="Remove 2 educators?").wait_for()
    axe_check(page, label="educator removal confirmation")
    screenshot(page, "district-educators-confirm")
    page.get_by_role("button", name="Remove 2 educators").click()
    page.get_by_text("Removed 2 educator(s)").wait_for()
    axe_check(page, label="educators after removal")
    screenshot(page, "district-educators-removed")
    assert not User.objects.filter(pk__in=[u.pk for u in leavers], is_active=True).exists()
    stayer.refresh_from_db()
    assert stayer.is_active


def test_the_reset_shows_live_progress_then_the_certificate_and_history(page, seeded, make_user):
    from yearend.resets.engine import reset_advance
    from yearend.resets.tests.helpers import start_reset

    ops = make_user(Role.OPS, username="seeded-ops")
    make_user(Role.DISTRICT_ADMIN, seeded, username="seeded-da")
    run, _ = start_reset(seeded, acting_user=ops, via="portal", advance=False)
    sign_in(page, "seeded-da")
    page.goto(f"/org/{seeded.site_code}/reset/")
    page.get_by_role("heading", name="Running now").wait_for()
    axe_check(page, label="reset running")
    screenshot(page, "district-reset-running")

    # The engine advances in the background; htmx polling shows it without a reload.
    reset_advance(run.pk, inline=True)
    page.get_by_text("Complete and verified.").wait_for(timeout=30_000)
    assert page.locator("#reset-live li.done").count() >= 7
    certificate = page.get_by_role("link", name="Deletion certificate (PDF)")
    response = page.request.get(certificate.get_attribute("href"))
    assert response.status == 200 and response.body().startswith(b"%PDF")
    page.reload()
    history = page.locator("section", has=page.get_by_role("heading", name="History of all resets"))
    assert history.get_by_role("cell", name="Succeeded").count() == 1
    axe_check(page, label="reset complete")
    screenshot(page, "district-reset-complete")

    page.goto(f"/org/{seeded.site_code}/data/")
    assert page.get_by_role("link", name="Year-end archive").count() == 1
    axe_check(page, label="data after the reset")
    screenshot(page, "district-data-after-reset")
