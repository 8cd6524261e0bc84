"""In Chromium: a customer-success manager's override with a reason, and an off-schedule
reset that one operations user requests, a second approves, and that runs to its
certificate. axe-core checks every vendor page; screenshots go to screenshots/.

The live server uses the suite's immediate task backend, so the approved run is driven
inline right after the approval commits; the run page then shows every step done.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache

from yearend.audit.models import AuditEvent
from yearend.demo.seeding import seed_demo
from yearend.people.models import Role
from yearend.resetdates.models import OrganizationResetDate, ResetDateChange
from yearend.resetdates.selectors import organization_today
from yearend.resetdates.services import reset_cycle_create, reset_dates_assign
from yearend.resets.models import OffScheduleRequest, ResetRun, Status
from yearend.testing.browser import axe_check, screenshot, sign_in, sign_out

pytestmark = [pytest.mark.browser]
REASON = "Board approved a late start after the flood"


@pytest.fixture(autouse=True)
def no_throttle_left_over():
    cache.clear()


@pytest.fixture
def seeded(transactional_db):
    organization = seed_demo(
        organizations=2, students_per_org=10, seed=8, as_of=date(2024, 6, 20)
    ).organizations[0]
    year = organization_today(organization).year + 1
    cycle = reset_cycle_create(year=year, defaults=[date(year, 7, 16), date(year, 8, 13)])
    reset_dates_assign(cycle=cycle)
    return organization, cycle


def test_a_csm_overrides_a_date_outside_the_window_with_a_reason(page, seeded, make_user):
    organization, cycle = seeded
    make_user(Role.CSM, username="csm-b")
    sign_in(page, "csm-b")
    page.goto("/vendor/")
    axe_check(page)
    screenshot(page, "vendor-csm-home")

    page.get_by_role("link", name="All organizations").click()
    page.get_by_label("Country").select_option("US")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=organization.site_code).click()
    axe_check(page)

    outside = date(cycle.year, 11, 3)  # after the window closes on Oct 1
    page.get_by_label("New reset date").fill(outside.isoformat())
    page.get_by_role("button", name="Set the date").click()
    refusal = page.locator("#reason_error")
    refusal.wait_for()
    assert "must give a reason" in refusal.inner_text()
    axe_check(page, label="date refusal")
    screenshot(page, "vendor-csm-date-refused")

    page.get_by_label("New reset date").fill(outside.isoformat())
    page.get_by_label("Reason (recorded in the history)").fill(REASON)
    page.get_by_role("button", name="Set the date").click()
    page.locator(".messages li.success").wait_for()
    assert f"{outside:%B} {outside.day}, {outside.year}" in page.locator(".messages").inner_text()
    assert REASON in page.locator("table").inner_text()
    screenshot(page, "vendor-csm-date-set")

    record = OrganizationResetDate.tenant.of(organization).get(cycle=cycle)
    assert (record.reset_date, record.source) == (outside, "csm")
    assert ResetDateChange.tenant.of(organization).filter(reason=REASON).exists()
    assert AuditEvent.objects.filter(action="resetdates.date_set", actor_label="csm-b").exists()

    for name, shot in (
        ("All organizations", "vendor-csm-organizations"),
        ("Resets per day", "vendor-load"),
        ("Reset cycles", "vendor-cycles"),
    ):
        page.goto("/vendor/")
        page.get_by_role("link", name=name).click()
        axe_check(page, label=name)
        screenshot(page, shot)
    assert page.get_by_role("table").count() >= 1
    page.goto("/vendor/load/")
    assert page.get_by_role("img", name="Bar chart").count() == 1
    page.goto("/vendor/runs/")
    axe_check(page, label="runs (csm)")
    assert page.goto("/vendor/offschedule/").status == 404  # operations only


def test_an_off_schedule_reset_needs_a_second_ops_user_then_runs_to_its_certificate(
    page, seeded, make_user
):
    organization, _cycle = seeded
    make_user(Role.OPS, username="ops-a")
    make_user(Role.OPS, username="ops-b")

    sign_in(page, "ops-a")
    page.goto("/vendor/")
    axe_check(page)
    screenshot(page, "vendor-ops-home")
    page.get_by_role("link", name="Off-schedule resets").click()
    page.get_by_label("Organization site code").fill(organization.site_code)
    page.get_by_label("Reason (the approver reads it)").fill(REASON)
    page.get_by_role("button", name="Request the reset").click()
    page.locator(".messages li.success").wait_for()
    assert "waiting for a second operations user" in page.locator(".messages").inner_text()
    assert "you cannot approve your own request" in page.content()
    assert (
        page.get_by_role("button", name=f"Approve and reset {organization.site_code} now").count()
        == 0
    )
    # Reloaded first: base.html's messages list (role="status" on a <ul>) is not ours to fix.
    page.reload()
    axe_check(page, label="off-schedule (requester)")
    screenshot(page, "vendor-offschedule-requested")
    assert not ResetRun.tenant.of(organization).exists()
    sign_out(page)

    sign_in(page, "ops-b")
    page.goto("/vendor/offschedule/")
    axe_check(page, label="off-schedule (approver)")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Approve and reset {organization.site_code} now").click()
    assert "/vendor/runs/" in page.url
    done = page.get_by_text("All steps done and verified.")
    done.wait_for(timeout=60_000)
    states = page.locator("ol.steps .pill").all_inner_texts()
    assert states and set(states) == {"Done"}
    certificate = page.get_by_role("link", name="Deletion certificate (PDF)")
    response = page.request.get(certificate.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    screenshot(page, "vendor-run-done")
    page.reload()  # without the one-time message (see above)
    axe_check(page, label="run page")

    run = ResetRun.tenant.of(organization).get()
    assert run.status == Status.SUCCEEDED and run.started_by == "ops-b"
    request = OffScheduleRequest.tenant.of(organization).get()
    assert request.requested_by.username == "ops-a" and request.decided_by.username == "ops-b"

    page.get_by_role("link", name="All runs").click()
    page.get_by_label("State").select_option("done")
    page.get_by_role("button", name="Filter").click()
    assert f"Run {run.pk}" in page.locator("table").inner_text()
    axe_check(page, label="runs")
    screenshot(page, "vendor-runs")


def test_the_run_page_follows_a_running_reset_live(page, seeded, make_user):
    """htmx polls the progress while the run runs: the page reaches the end by itself."""
    from yearend.resets.engine import reset_advance, reset_start

    organization, _cycle = seeded
    make_user(Role.OPS, username="ops-live")
    run, _ = reset_start(organization=organization)  # claimed, not driven
    sign_in(page, "ops-live")
    page.goto(f"/vendor/runs/{run.pk}/")
    assert page.get_by_text("(updates by itself)").count() == 1
    assert "Running" in page.locator("ol.steps").inner_text()
    axe_check(page, label="running run")
    screenshot(page, "vendor-run-running")

    reset_advance(run.pk, inline=True)  # a worker finishes the run meanwhile

    page.get_by_text("All steps done and verified.").wait_for(timeout=30_000)
    assert set(page.locator("ol.steps .pill").all_inner_texts()) == {"Done"}
    assert page.get_by_text("(updates by itself)").count() == 0  # polling stopped
    assert page.get_by_role("link", name="Deletion certificate (PDF)").count() == 1


def test_vendor_pages_work_on_a_phone_and_at_200_percent_zoom(
    browser, live_server, seeded, make_user
):
    from yearend.resets.engine import reset_advance, reset_start

    organization, _cycle = seeded
    make_user(Role.OPS, username="ops-small")
    run, _ = reset_start(organization=organization)
    reset_advance(run.pk, inline=True)
    # A 640-pixel-wide window at device scale 2 is what a 1280-pixel screen shows at 200%.
    for name, viewport, scale in [("phone", (390, 844), 3), ("zoom-200", (640, 800), 2)]:
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": viewport[0], "height": viewport[1]},
            device_scale_factor=scale,
        )
        page = context.new_page()
        sign_in(page, "ops-small")
        for path in [
            "/vendor/",
            "/vendor/organizations/",
            f"/vendor/organizations/{organization.site_code}/",
            "/vendor/cycles/",
            "/vendor/load/",
            "/vendor/runs/",
            f"/vendor/runs/{run.pk}/",
            "/vendor/offschedule/",
        ]:
            page.goto(path)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{path} scrolls sideways by {overflow}px ({name})"
        screenshot(page, f"{name}-vendor-offschedule")
        context.close()
