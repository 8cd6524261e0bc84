"""A real OpenID Provider for tests: ``oidc_provider_mjs`` run by Node, on a free loopback port.

Use from a test package's ``conftest.py``::

    from yearend.testing.oidc import openid_provider  # noqa: F401 (fixture)

The provider (npm ``oidc-provider``, installed by ``npm ci``) knows the clients and
accounts below; a test points an organization at it with ``oidc_provider_set`` and signs
in with ``openid_provider.sign_in(client, site_code, login)``, which drives the provider's
own login form over HTTP as a browser would. Without Node or without
``node_modules/oidc-provider`` the tests that use it skip, saying which is missing.
Nothing leaves the machine: the provider listens on 127.0.0.1 and only the tests call it.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.conf import settings

SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
PACKAGE = Path(settings.BASE_DIR) / "node_modules" / "oidc-provider"
CALLBACK = "http://testserver/login/sso/callback/"  # the Django test client's host

CLIENTS = {
    "home-district": {},
    "away-district": {},
    # Tokens the relying party must refuse, signed with the provider's own key.
    "wrong-audience": {"id_token": {"aud": "someone-else"}},
    "expired": {"id_token": {"expired": True}},
}
ACCOUNTS = {
    "dana": {"email": "dana@home.example", "email_verified": True, "name": "Dana"},
    "ali": {"email": "ali@away.example", "email_verified": True, "name": "Ali"},
    "sam": {"email": "sam@nowhere.example", "email_verified": True, "name": "Sam"},
    "rory": {"email": "rory@personal.example", "sourced_id": "T-100", "name": "Rory"},
    "unverified": {"email": "dana@home.example", "email_verified": False},
}


def secret_of(client_id: str) -> str:
    return f"{client_id}-secret"


def missing_for_openid_tests() -> str | None:
    if shutil.which("node") is None:
        return "Node.js is not installed (the test OpenID provider runs on it)"
    if not PACKAGE.exists():
        return f"oidc-provider is missing at {PACKAGE} (run `npm ci` in the project)"
    return None


@dataclass
class OpenIdProvider:
    issuer: str

    def sign_in(self, client, site_code: str, login: str):
        """Start at our sign-in page, sign in at the provider as ``login``, and return our
        callback's response (or the start page's, when it refused)."""
        start = client.get("/login/sso/", {"site_code": site_code})
        if start.status_code != 302:
            return start
        browser = requests.Session()
        url = start["Location"]
        for _ in range(12):
            if url.startswith("http://testserver/"):
                parts = urlsplit(url)
                return client.get(f"{parts.path}?{parts.query}")
            answer = browser.get(url, allow_redirects=False, timeout=10)
            if answer.status_code == 200 and "/interaction/" in url:
                # The provider's login form: who signs in.
                form = {"prompt": "login", "login": login, "password": "any"}
                answer = browser.post(url, data=form, allow_redirects=False, timeout=10)
            if answer.status_code not in (302, 303):
                raise AssertionError(f"provider at {url}: {answer.status_code} {answer.text[:500]}")
            url = urljoin(url, answer.headers["Location"])
        raise AssertionError("the provider never sent the browser back")


def _config() -> str:
    clients = [
        {
            "client_id": client_id,
            "client_secret": secret_of(client_id),
            "redirect_uris": [CALLBACK],
            **extra,
        }
        for client_id, extra in CLIENTS.items()
    ]
    return json.dumps({"clients": clients, "accounts": ACCOUNTS})


def _wait_for_issuer(process: subprocess.Popen, errors, timeout: float = 30) -> str:
    watch = selectors.DefaultSelector()
    watch.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not watch.select(timeout=deadline - time.monotonic()):
            break
        line = process.stdout.readline()
        if not line:
            break  # it exited
        if line.startswith("listening "):
            return line.split(" ", 1)[1].strip()
    process.kill()
    errors.seek(0)
    raise RuntimeError(f"the test OpenID provider did not start: {errors.read()[-2000:]!r}")


@pytest.fixture(scope="session")
def openid_provider() -> Iterator[OpenIdProvider]:
    problem = missing_for_openid_tests()
    if problem:
        pytest.skip(f"OpenID Connect tests skipped: {problem}")
    # Its warnings go to a file: a pipe nobody reads could fill and stall it.
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 (our own script, a fixed argument list)
            [shutil.which("node"), str(SCRIPT)],
            env={**os.environ, "OIDC_TEST_CONFIG": _config()},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            cwd=settings.BASE_DIR,
        )
        try:
            yield OpenIdProvider(issuer=_wait_for_issuer(process, errors))
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
