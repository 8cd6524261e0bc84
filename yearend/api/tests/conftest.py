"""API test fixtures: one user per role, tokens, a client that sends them."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client

from yearend.api.models import Scope
from yearend.api.services import api_token_create
from yearend.audit.models import Via
from yearend.organizations.models import School
from yearend.people.models import Role
from yearend.resetdates.models import ResetCycle
from yearend.resetdates.selectors import utc_today
from yearend.resetdates.services import reset_cycle_create

ROLES = ("outsider", "teacher", "school_admin", "district_admin", "csm", "ops")


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def future_cycle(db) -> ResetCycle:
    """The cycle of next year: today's real date is always before its window."""
    year = utc_today().year + 1
    existing = ResetCycle.objects.filter(year=year).first()
    if existing:
        return existing
    return reset_cycle_create(
        year=year, defaults=[date(year, 7, 18), date(year, 8, 1), date(year, 8, 15)]
    )


@pytest.fixture
def north(org) -> School:
    return School.tenant.of(org).get(name="North Elementary")


@pytest.fixture
def users(make_user, org, north, district_admin, outsider, csm, ops) -> dict:
    return {
        "outsider": outsider,
        "teacher": make_user(Role.TEACHER, org, schools=[north], username="home-teacher"),
        "school_admin": make_user(Role.SCHOOL_ADMIN, org, schools=[north], username="home-sa"),
        "district_admin": district_admin,
        "csm": csm,
        "ops": ops,
        # Off-schedule resets need two people.
        "second_ops": make_user(Role.OPS, username="ops-2"),
    }


class ApiClient:
    """A test client that sends a bearer token on every request."""

    def __init__(self, secret: str | None):
        self.client = Client()
        self.secret = secret

    def _headers(self, extra):
        headers = dict(extra or {})
        if self.secret:
            headers.setdefault("Authorization", f"Bearer {self.secret}")
        return headers

    def get(self, path, headers=None, **kwargs):
        return self.client.get(path, headers=self._headers(headers), **kwargs)

    def post(self, path, data=None, headers=None, **kwargs):
        if "content_type" not in kwargs and not isinstance(data, dict | type(None)):
            kwargs["content_type"] = "application/json"
        return self.client.post(path, data, headers=self._headers(headers), **kwargs)

    def json(self, method, path, payload=None, headers=None):
        call = getattr(self.client, method.lower())
        return call(
            path,
            data=payload if payload is not None else {},
            content_type="application/json",
            headers=self._headers(headers),
        )


@pytest.fixture
def api_as():
    def make(user, scope: str = Scope.READ_WRITE) -> ApiClient:
        created = api_token_create(user=user, name="tests", scope=scope, via=Via.COMMAND)
        return ApiClient(created.secret)

    return make
