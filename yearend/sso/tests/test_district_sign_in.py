"""Sign-in with a district account against a real OpenID provider (yearend/testing/oidc.py):
the code flow end to end, and each way it must be refused."""

from __future__ import annotations

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.urls import reverse

from yearend.organizations.models import School
from yearend.people.models import Role
from yearend.sso.models import OidcProvider
from yearend.sso.services import oidc_provider_set
from yearend.testing.oidc import secret_of

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # discovery documents are cached per issuer
    yield
    cache.clear()


@pytest.fixture
def dana(district_admin):
    district_admin.email = "dana@home.example"
    district_admin.save(update_fields=["email"])
    return district_admin


@pytest.fixture
def ali(outsider):
    """An educator of the other organization, known to the same provider."""
    outsider.email = "ali@away.example"
    outsider.save(update_fields=["email"])
    return outsider


def give(organization, openid_provider, client_id="home-district", **extra) -> OidcProvider:
    return oidc_provider_set(
        organization=organization,
        issuer=openid_provider.issuer,
        client_id=client_id,
        client_secret=secret_of(client_id),
        **extra,
    )


def signed_in_as(client):
    return client.session.get(SESSION_KEY)


def test_an_educator_signs_in_with_the_district_account(client, org, dana, openid_provider):
    give(org, openid_provider)

    response = openid_provider.sign_in(client, "home01", "dana")

    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/"
    assert signed_in_as(client) == str(dana.pk)
    assert client.session[BACKEND_SESSION_KEY] == "yearend.sso.backend.OrganizationOidcBackend"
    # The session works on the next page, through the backend's get_user.
    assert client.get(reverse("portal:organization", args=["HOME01"])).status_code == 200


def test_the_roster_identifier_matches_when_the_provider_sends_it(
    client, org, make_user, openid_provider
):
    north = School.tenant.of(org).get(name="North Elementary")
    teacher = make_user(Role.TEACHER, org, schools=[north], username="rory-t")
    teacher.sis_sourced_id = "T-100"
    teacher.email = "rory@school.example"  # not the email the provider knows
    teacher.save(update_fields=["sis_sourced_id", "email"])
    give(org, openid_provider, roster_id_claim="sourced_id")

    response = openid_provider.sign_in(client, "HOME01", "rory")

    assert response.status_code == 302
    assert signed_in_as(client) == str(teacher.pk)


def test_a_token_for_another_audience_is_refused(client, org, dana, openid_provider):
    give(org, openid_provider, client_id="wrong-audience")

    response = openid_provider.sign_in(client, "HOME01", "dana")

    assert response.status_code == 403
    assert "issued for another application" in response.content.decode()
    assert signed_in_as(client) is None


def test_an_expired_token_is_refused(client, org, dana, openid_provider):
    give(org, openid_provider, client_id="expired")

    response = openid_provider.sign_in(client, "HOME01", "dana")

    assert response.status_code == 403
    assert "had expired when it reached us" in response.content.decode()
    assert signed_in_as(client) is None


def test_a_user_of_another_organization_is_refused(
    client, org, other_org, dana, ali, openid_provider
):
    give(org, openid_provider)
    give(other_org, openid_provider, client_id="away-district")

    # Ali is an educator of AWAY01: signing in through HOME01's provider finds nobody.
    refused = openid_provider.sign_in(client, "HOME01", "ali")
    assert refused.status_code == 403
    text = refused.content.decode()
    assert "(ali@away.example) does not match an educator of Home District" in text
    assert signed_in_as(client) is None
    # Through AWAY01's own provider Ali is Ali, of AWAY01 only.
    assert openid_provider.sign_in(client, "AWAY01", "ali").status_code == 302
    assert signed_in_as(client) == str(ali.pk)


def test_a_provider_user_with_no_educator_is_refused_with_a_clear_message(
    client, org, dana, csm, openid_provider
):
    csm.email = "sam@nowhere.example"  # vendor staff are never matched
    csm.save(update_fields=["email"])
    give(org, openid_provider)

    response = openid_provider.sign_in(client, "HOME01", "sam")

    assert response.status_code == 403
    assert (
        "Your district account (sam@nowhere.example) does not match an educator of "
        "Home District. Ask your district administrator to add you"
    ) in response.content.decode()
    assert signed_in_as(client) is None


def test_an_email_the_provider_did_not_verify_matches_nobody(client, org, dana, openid_provider):
    give(org, openid_provider)

    response = openid_provider.sign_in(client, "HOME01", "unverified")

    assert response.status_code == 403
    assert signed_in_as(client) is None


def test_a_removed_educator_is_refused(client, org, dana, openid_provider):
    dana.is_active = False
    dana.save(update_fields=["is_active"])
    give(org, openid_provider)

    assert openid_provider.sign_in(client, "HOME01", "dana").status_code == 403
    assert signed_in_as(client) is None


def test_a_disabled_provider_is_refused(client, org, dana, openid_provider):
    give(org, openid_provider, enabled=False)

    response = openid_provider.sign_in(client, "HOME01", "dana")

    assert response.status_code == 403
    assert "Sign-in with a district account is turned off for Home District" in (
        response.content.decode()
    )
    assert signed_in_as(client) is None


def test_a_provider_disabled_during_the_sign_in_is_refused_at_the_callback(
    client, org, dana, openid_provider, monkeypatch
):
    provider = give(org, openid_provider)
    real_get = client.get

    def turn_it_off_before_the_callback(path, *args, **kwargs):
        if path.startswith("/login/sso/callback/"):
            oidc_provider_set(organization=org, enabled=False)
        return real_get(path, *args, **kwargs)

    monkeypatch.setattr(client, "get", turn_it_off_before_the_callback)
    response = openid_provider.sign_in(client, "HOME01", "dana")

    assert response.status_code == 403
    assert "turned off" in response.content.decode()
    assert signed_in_as(client) is None
    provider.refresh_from_db()
    assert not provider.enabled


def test_a_site_code_without_a_provider_is_refused(client, org):
    response = client.get("/login/sso/", {"site_code": "HOME01"})

    assert response.status_code == 403
    assert "not set up for the site code HOME01" in response.content.decode()


def test_a_callback_this_browser_did_not_start_is_refused(client, org, dana):
    oidc_provider_set(
        organization=org, issuer="https://login.example.org", client_id="c", client_secret="s"
    )

    response = client.get("/login/sso/callback/", {"code": "x", "state": "forged"})

    assert response.status_code == 403
    assert "did not complete" in response.content.decode()
    assert signed_in_as(client) is None
