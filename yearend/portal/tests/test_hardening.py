"""A production deployment's defences: the Content-Security-Policy on every response,
https settings that follow SITE_URL, and `check --deploy` clean for an https site."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PROJECT = Path(settings.BASE_DIR)


def _policy(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {parts[0]: parts[1:] for parts in directives}


@pytest.mark.core
@pytest.mark.django_db
def test_every_kind_of_response_carries_the_policy(client, district_admin):
    anonymous = ["/login/", "/healthz", "/api/v1/me", "/no-such-page/"]
    signed_in = ["/", "/organizations/HOME01/", "/api/v1/docs", "/api/v1/organizations"]
    responses = [client.get(path) for path in anonymous]
    client.force_login(district_admin)
    responses += [client.get(path, follow=True) for path in signed_in]
    for response in responses:
        policy = _policy(response)
        where = response.wsgi_request.path
        assert policy.get("default-src") == ["'self'"], where
        assert policy.get("script-src") == ["'self'"], where
        assert policy.get("style-src") == ["'self'"], where
        assert policy.get("frame-ancestors") == ["'none'"], where
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], where


# Inline code the policy would refuse in a browser. E-mails are not pages: their inline
# styles are how mail clients want them.
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"\sstyle=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+=", re.I), "an inline event handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_no_page_template_holds_what_the_policy_refuses():
    found = []
    for template in sorted((PROJECT / "yearend").rglob("templates/**/*.html")):
        if "/email/" in template.as_posix():
            continue
        text = template.read_text()
        found += [f"{template}: {what}" for pattern, what in INLINE if pattern.search(text)]
    assert not found, "\n".join(found)


def _settings_under(env: dict[str, str]) -> dict:
    """The settings a fresh process reads from ``env`` (settings are read once, at start)."""
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k, None) for k in ("
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', "
        "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_INCLUDE_SUBDOMAINS')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**_clean_environment(), **env, "DJANGO_SETTINGS_MODULE": "yearend.settings"},
        capture_output=True,
        text=True,
        cwd=PROJECT,
        check=True,
    )
    return json.loads(result.stdout)


def _clean_environment() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "PYTHONPATH", "TMPDIR")
    return {k: v for k, v in os.environ.items() if k in keep} | {
        "DATABASE_URL": "sqlite:///:memory:",
        "SECRET_KEY": "a" + "Z9y8X7w6V5u4T3s2R1q0P" * 3,
    }


def test_an_https_site_url_turns_on_hsts_secure_cookies_and_the_redirect():
    https = _settings_under({"SITE_URL": "https://reset.example.org"})
    assert https["SESSION_COOKIE_SECURE"] and https["CSRF_COOKIE_SECURE"]
    assert https["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert https["SECURE_SSL_REDIRECT"] and https["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    laptop = _settings_under({"SITE_URL": "http://127.0.0.1:8000"})
    assert not laptop["SESSION_COOKIE_SECURE"] and not laptop["SECURE_SSL_REDIRECT"]
    assert laptop["SECURE_HSTS_SECONDS"] == 0
    # SECURE_COOKIES still decides on its own, e.g. behind a proxy on a plain-http name.
    forced = _settings_under({"SITE_URL": "http://127.0.0.1:8000", "SECURE_COOKIES": "on"})
    assert forced["SESSION_COOKIE_SECURE"] and forced["CSRF_COOKIE_SECURE"]


def _deploy_check(site_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            **_clean_environment(),
            "DJANGO_SETTINGS_MODULE": "yearend.settings",
            "SITE_URL": site_url,
            "ALLOWED_HOSTS": "reset.example.org",
        },
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )


def test_check_deploy_is_clean_for_an_https_site():
    result = _deploy_check("https://reset.example.org")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    # The same check is not clean on plain http, so a pass above means something.
    assert _deploy_check("http://reset.example.org").returncode != 0
