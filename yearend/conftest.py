"""Shared fixtures. Data is built through the real services, as users would build it."""

from __future__ import annotations

import itertools

import pytest

from yearend.organizations.models import Organization
from yearend.organizations.services import organization_create
from yearend.people.models import Role, User
from yearend.people.services import user_create

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _catalogue_present(request):
    """Products, pathways and the 2024 cycle exist in every database test."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    )
    if uses_db:
        request.getfixturevalue("_django_db_helper")
        from yearend.testing.catalogue import ensure_catalogue

        ensure_catalogue()


@pytest.fixture
def make_organization(db):
    def make(
        site_code: str | None = None,
        *,
        schools=("North Elementary", "South Middle"),
        time_zone="America/Chicago",
        country="US",
        subdivision="TX",
        **extra,
    ) -> Organization:
        return organization_create(
            site_code=site_code or f"ORG{next(_numbers):04d}",
            name=extra.pop("name", f"District {site_code or 'X'}"),
            time_zone=time_zone,
            country=country,
            subdivision=subdivision,
            school_names=schools,
            **extra,
        )

    return make


@pytest.fixture
def make_user(db):
    def make(
        role: str,
        organization: Organization | None = None,
        *,
        schools=(),
        username: str | None = None,
        password: str = "correct-horse-battery",
    ) -> User:
        user, _ = user_create(
            username=username or f"{role}-{next(_numbers)}",
            role=role,
            organization=organization,
            schools=list(schools),
            password=password,
        )
        return user

    return make


@pytest.fixture
def org(make_organization) -> Organization:
    return make_organization("HOME01", name="Home District")


@pytest.fixture
def other_org(make_organization) -> Organization:
    return make_organization("AWAY01", name="Away District")


@pytest.fixture
def district_admin(make_user, org) -> User:
    return make_user(Role.DISTRICT_ADMIN, org, username="home-da")


@pytest.fixture
def outsider(make_user, other_org) -> User:
    """A district administrator of another organization: must be refused everywhere."""
    return make_user(Role.DISTRICT_ADMIN, other_org, username="away-da")


@pytest.fixture
def csm(make_user) -> User:
    return make_user(Role.CSM, username="csm")


@pytest.fixture
def ops(make_user) -> User:
    return make_user(Role.OPS, username="ops")
