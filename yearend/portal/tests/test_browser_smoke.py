import pytest

from yearend.testing.browser import axe_check, screenshot

pytestmark = [pytest.mark.browser]


def test_the_login_page_passes_axe(page):
    page.goto("/login/")
    axe_check(page)
    screenshot(page, "login")
