"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

Use from a test package's ``conftest.py``::

    from yearend.testing.browser import browser, page  # noqa: F401 (fixtures)

and in the tests::

    pytestmark = [pytest.mark.browser]

    def test_it(page, live_server, district_admin):
        sign_in(page, "home-da")
        axe_check(page)
        screenshot(page, "district-home")

Rules these helpers keep:

- Only ``/usr/bin/chromium`` (installed by ``.ci/run``) is launched; Playwright never
  downloads a browser. When Chromium or ``node_modules/axe-core/axe.min.js`` is missing the
  tests skip with a message naming what is missing.
- The browser is started once per test module (``browser`` is module-scoped): Playwright's
  sync API keeps an asyncio loop marked as running on the main thread while it is started,
  which Django's async-safety check takes for async code. So the loop lives only as long
  as the module's browser tests, and ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set for exactly that
  span — never for the rest of the suite.
- Pages run under the product's Content-Security-Policy (no ``bypass_csp``): a page that
  breaks it (an inline script or style the browser refused) fails the test that opened it.
  axe-core is therefore evaluated through the DevTools protocol, which the policy does not
  govern, instead of being added to the page as a script tag, which it would refuse.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Test passwords (conftest.make_user's default).
DEFAULT_PASSWORD = "correct-horse-battery"  # noqa: S105 (test fixtures only)
# axe-core impacts that fail a page: "minor" and "moderate" are reported, not fatal.
BLOCKING_IMPACTS = ("serious", "critical")


def missing_for_browser_tests() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"Chromium is missing at {CHROMIUM} (apt-get install chromium; .ci/run does)"
    if not AXE_SCRIPT.exists():
        return f"axe-core is missing at {AXE_SCRIPT} (run `npm ci` in the project)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One headless Chromium for the whole test module."""
    problem = missing_for_browser_tests()
    if problem:
        pytest.skip(f"browser tests skipped: {problem}")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, transactional_db) -> Iterator:
    """A fresh browser context (no cookies) on the live server, downloads allowed."""
    context = browser.new_context(
        base_url=live_server.url, accept_downloads=True, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    refused = []
    tab.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        yield tab
    finally:
        context.close()
    assert not refused, "the page broke its Content-Security-Policy:\n" + "\n".join(refused)


def sign_in(page, username: str, password: str = DEFAULT_PASSWORD) -> None:
    """Sign in through the login form, as a person would, and wait for the next page."""
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()


def axe_violations(page, *, impacts: tuple[str, ...] = BLOCKING_IMPACTS) -> list[dict]:
    """Run axe-core on the current page; violations of the given impacts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text())
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in impacts]


def axe_check(page, *, label: str | None = None) -> None:
    """Fail the test when axe-core finds serious or critical violations, listing them."""
    violations = axe_violations(page)
    if violations:
        lines = [
            f"- {v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['nodes'])}"
            for v in violations
        ]
        where = label or page.url
        pytest.fail(
            f"axe-core: {len(violations)} serious/critical violation(s) on {where}:\n"
            + "\n".join(lines),
            pytrace=False,
        )


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of the current page as screenshots/<name>.png (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name)
    path = SCREENSHOTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def axe_report(page) -> str:
    """All violations (any impact) as JSON, for debugging a page by hand."""
    return json.dumps(axe_violations(page, impacts=("minor", "moderate", "serious", "critical")))
