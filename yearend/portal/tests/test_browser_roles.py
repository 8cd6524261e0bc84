"""In Chromium: each role signs in and sees only what it should; axe on every page.

One browser for the module; every test starts from a clean database (live server).
"""

import pytest
from django.core.cache import cache

from yearend.people.models import Role
from yearend.testing.browser import axe_check, screenshot, sign_in, sign_out

pytestmark = [pytest.mark.browser]

DISTRICT_NAV = [
    "Home",
    "Change the date",
    "What will happen",
    "Data",
    "Syncs",
    "Educators",
    "Reset",
]


@pytest.fixture(autouse=True)
def no_throttle_left_over():
    # Every browser sign-in comes from 127.0.0.1: start each test with a clean count.
    cache.clear()


def nav_links(page) -> list[str]:
    return [t.strip() for t in page.locator("nav.main-nav a").all_inner_texts()]


def test_a_district_admin_sees_every_district_page_and_each_passes_axe(
    page, org, other_org, dated, district_admin
):
    sign_in(page, "home-da")
    assert page.url.endswith("/org/HOME01/")
    assert page.get_by_role("heading", name="Reset date").is_visible()
    links = nav_links(page)
    for name in [*DISTRICT_NAV, "Notices", "API tokens"]:
        assert name in links, links
    assert "Organizations" not in links
    for path, shot in [
        ("/org/HOME01/", "district-home"),
        ("/org/HOME01/date/", "district-change-date"),
        ("/org/HOME01/what-will-happen/", "district-what-will-happen"),
        ("/org/HOME01/data/", "district-data"),
        ("/org/HOME01/syncs/", "district-syncs"),
        ("/org/HOME01/educators/", "district-educators"),
        ("/org/HOME01/reset/", "district-reset"),
        ("/notices/", "notices"),
        ("/api/tokens/", "api-tokens"),
    ]:
        response = page.goto(path)
        assert response.status == 200, path
        axe_check(page, label=path)
        screenshot(page, shot)
    # Another organization does not exist for this account.
    assert page.goto("/org/AWAY01/").status == 404
    axe_check(page, label="not found")
    assert page.goto("/org/AWAY01/date/").status == 404


def test_a_school_admin_and_a_teacher_see_their_pages_only(page, org, dated, school_admin, teacher):
    sign_in(page, "home-sa")
    links = nav_links(page)
    assert "Data" in links and "Change the date" not in links and "Syncs" not in links
    assert page.get_by_text("Progress reports and the Student Data Export").is_visible()
    axe_check(page, label="school admin home")
    screenshot(page, "school-admin-home")
    page.goto("/org/HOME01/data/")
    assert page.get_by_role("button", name="Start the export").is_visible()
    assert page.locator("#export-school option").all_inner_texts() == ["North Elementary"]
    axe_check(page, label="school admin data")
    screenshot(page, "school-admin-data")
    assert page.goto("/org/HOME01/date/").status == 404
    sign_out(page)

    sign_in(page, "home-teacher")
    links = nav_links(page)
    assert "Progress reports" in links and "Data" not in links and "Educators" not in links
    assert page.get_by_role("heading", name="Reset date").is_visible()
    assert page.get_by_role("link", name="Change the date").count() == 0
    axe_check(page, label="teacher home")
    screenshot(page, "teacher-home")
    page.goto("/org/HOME01/data/")
    assert page.get_by_role("button", name="Start the export").count() == 0
    axe_check(page, label="teacher progress reports")
    for path in ("/org/HOME01/syncs/", "/org/HOME01/educators/", "/org/HOME01/reset/"):
        assert page.goto(path).status == 404, path


def test_an_outsider_and_vendor_staff(page, org, other_org, dated, outsider, make_user):
    sign_in(page, "away-da")
    assert page.url.endswith("/org/AWAY01/")
    for path in ("/org/HOME01/", "/org/HOME01/data/", "/org/HOME01/syncs/"):
        assert page.goto(path).status == 404, path
    assert "Home District" not in page.content()
    sign_out(page)

    make_user(Role.CSM, username="browser-csm")
    sign_in(page, "browser-csm")
    assert page.get_by_role("heading", name="Organizations").is_visible()
    assert page.get_by_role("link", name="HOME01").is_visible()
    assert page.get_by_role("link", name="AWAY01").is_visible()
    axe_check(page, label="vendor organizations")
    screenshot(page, "vendor-organizations")


def test_the_sign_in_page_and_a_refused_sign_in(page, district_admin):
    page.goto("/login/")
    axe_check(page, label="login")
    screenshot(page, "login")
    page.get_by_label("Username").fill("home-da")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    assert page.get_by_role("alert").inner_text().startswith("That username and password")
    axe_check(page, label="login refused")


def test_pages_work_on_a_phone_and_at_200_percent_zoom(
    browser, live_server, org, dated, district_admin
):
    # A 640-pixel-wide window at device scale 2 is what a 1280-pixel screen shows at 200%.
    for name, viewport, scale in [("phone", (390, 844), 3), ("zoom-200", (640, 800), 2)]:
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": viewport[0], "height": viewport[1]},
            device_scale_factor=scale,
        )
        page = context.new_page()
        sign_in(page, "home-da")
        for path, shot in [
            ("/org/HOME01/", "home"),
            ("/org/HOME01/date/", "change-date"),
            ("/org/HOME01/what-will-happen/", "what-will-happen"),
            ("/org/HOME01/data/", "data"),
            ("/org/HOME01/syncs/", "syncs"),
            ("/org/HOME01/educators/", "educators"),
            ("/org/HOME01/reset/", "reset"),
        ]:
            page.goto(path)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{path} scrolls sideways by {overflow}px ({name})"
            screenshot(page, f"{name}-{shot}")
        # The skip link is the first stop of the keyboard and moves focus to the content.
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.textContent") == "Skip to content"
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main"
        context.close()


def test_pages_outside_the_portal_nav_pass_axe_too(page, org, dated, district_admin, ops):
    # Pages reached from emails and old links, and the API docs: accessible too.
    sign_in(page, "home-da")
    for path in [
        "/notices/preferences/",
        "/resets/HOME01/",  # moved: what the reset will do
        "/api/v1/docs",
    ]:
        response = page.goto(path)
        assert response.status == 200, path
        axe_check(page, label=path)
        screenshot(page, "other" + path.rstrip("/").replace("/", "-"))
    sign_out(page)
    sign_in(page, "ops")
    for path in ["/vendor/resets/", "/vendor/resets/HOME01/", "/vendor/offschedule/"]:
        response = page.goto(path)
        assert response.status == 200, path
        axe_check(page, label=path)
