"""Browser fixtures for the portal's browser tests (see yearend/testing/browser.py)."""

from yearend.testing.browser import browser, page  # noqa: F401 (pytest fixtures)
