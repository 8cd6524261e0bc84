"""Personal API tokens: made and revoked in the portal, shown once, stored hashed,
expiring, scoped; how the API treats each kind of credential."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from yearend.api.models import ApiToken, Scope
from yearend.api.services import api_token_authenticate, api_token_create, api_token_revoke
from yearend.api.tests.conftest import ApiClient
from yearend.audit.models import AuditEvent
from yearend.errors import InvalidInput, NotFound

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_creates_a_token_on_the_page_and_shows_the_secret_once(district_admin):
    client = signed_in(district_admin)
    response = client.post(
        "/api/tokens/", {"name": "nightly sync", "scope": "read_write", "lifetime_days": "30"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    token = ApiToken.objects.get(user=district_admin)
    secret = response.context["created"].secret
    assert secret.encode() in response.content
    # Only the hash is stored, and the list page never shows the secret again.
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values_list().get())
    again = client.get("/api/tokens/")
    assert secret.encode() not in again.content
    assert token.prefix.encode() in again.content
    assert token.scope == Scope.READ_WRITE
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    event = AuditEvent.objects.get(action="api.token_create")
    assert event.actor == district_admin and event.via == "portal"
    assert event.details["prefix"] == token.prefix
    assert secret not in str(event.details)


def test_the_page_refuses_a_nameless_token_and_creates_nothing(district_admin):
    response = signed_in(district_admin).post("/api/tokens/", {"name": " ", "scope": "read"})
    assert response.status_code == 400
    assert b"Give the token a name" in response.content
    assert not ApiToken.objects.exists()


def test_the_page_needs_a_sign_in():
    response = Client().get("/api/tokens/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_it_revokes_a_token_on_the_page(district_admin):
    created = api_token_create(user=district_admin, name="x")
    response = signed_in(district_admin).post(f"/api/tokens/{created.token.pk}/revoke/")
    assert response.status_code == 302
    created.token.refresh_from_db()
    assert created.token.revoked_at is not None
    event = AuditEvent.objects.get(action="api.token_revoke")
    assert event.actor == district_admin and event.details["token"] == created.token.pk


def test_nobody_revokes_another_users_token_on_the_page(district_admin, outsider):
    created = api_token_create(user=district_admin, name="x")
    response = signed_in(outsider).post(f"/api/tokens/{created.token.pk}/revoke/")
    assert response.status_code == 404
    created.token.refresh_from_db()
    assert created.token.revoked_at is None


def test_revoking_someone_elses_token_through_the_service_is_not_found(district_admin, outsider):
    created = api_token_create(user=district_admin, name="x")
    with pytest.raises(NotFound):
        api_token_revoke(token=created.token, acting_user=outsider)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "x" * 101}, "name"),
        ({"name": "x", "scope": "admin"}, "scope"),
        ({"name": "x", "lifetime_days": 0}, "lifetime_days"),
        ({"name": "x", "lifetime_days": 400}, "lifetime_days"),
    ],
)
def test_token_creation_refusals_name_the_field(district_admin, kwargs, field):
    with pytest.raises(InvalidInput) as refusal:
        api_token_create(user=district_admin, **kwargs)
    assert refusal.value.field == field


def test_a_token_authenticates_its_owner(district_admin):
    created = api_token_create(user=district_admin, name="x", scope="read")
    response = ApiClient(created.secret).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "username": "home-da",
        "role": "district_admin",
        "organization": "HOME01",
        "token_scope": "read",
    }
    created.token.refresh_from_db()
    assert created.token.last_used_at is not None


def test_no_credentials_is_401_json():
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"revoked_at": timezone.now()}, "token_revoked"),
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, "token_expired"),
    ],
)
def test_revoked_and_expired_tokens_are_401(district_admin, change, code):
    created = api_token_create(user=district_admin, name="x")
    ApiToken.objects.filter(pk=created.token.pk).update(**change)
    response = ApiClient(created.secret).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == code


def test_a_disabled_accounts_token_is_401(district_admin):
    created = api_token_create(user=district_admin, name="x")
    district_admin.is_active = False
    district_admin.save(update_fields=["is_active"])
    response = ApiClient(created.secret).get("/api/v1/me")
    assert response.status_code == 401


def test_an_unknown_token_is_401(db):
    response = ApiClient("yer_not-a-real-token").get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_a_read_token_is_refused_on_writes_and_changes_nothing(district_admin, org):
    created = api_token_create(user=district_admin, name="x", scope="read")
    response = ApiClient(created.secret).json("POST", "/api/v1/organizations/HOME01/sync/pause")
    assert response.status_code == 403
    assert response.json()["code"] == "token_read_only"
    assert not AuditEvent.objects.filter(action="sync.pause").exists()


@override_settings(API_RATE_PER_TOKEN=(3, 60))
def test_a_token_is_rate_limited_with_retry_after(district_admin):
    client = ApiClient(api_token_create(user=district_admin, name="x").secret)
    statuses = [client.get("/api/v1/me").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/me")
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60


@override_settings(API_RATE_FAILED_PER_IP=(2, 300))
def test_guessing_tokens_is_limited_per_address(db):
    statuses = [ApiClient(f"yer_guess{i}").get("/api/v1/me").status_code for i in range(4)]
    assert statuses == [401, 401, 429, 429]


def test_a_session_reads_without_csrf_but_writes_only_with_it(district_admin, org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(district_admin)
    assert client.get("/api/v1/me").json()["token_scope"] is None
    refused = client.post("/api/v1/organizations/HOME01/sync/pause", "{}", "application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    client.get("/api/tokens/")  # sets the CSRF cookie, as any portal page does
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/organizations/HOME01/sync/pause",
        "{}",
        "application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["paused"] is True


def test_authenticate_never_accepts_a_token_of_the_wrong_shape(district_admin):
    from yearend.api.services import TokenRefused

    api_token_create(user=district_admin, name="x")
    for presented in ("", "Bearer", "x" * 500, "yer_"):
        with pytest.raises(TokenRefused):
            api_token_authenticate(presented)
