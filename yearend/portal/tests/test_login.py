"""Sign-in: sessions, throttling per username and per IP, the admin's login goes through it."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def _login(client, username, password="wrong-password", ip="10.0.0.1"):  # noqa: S107
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


@override_settings(LOGIN_THROTTLE_PER_USERNAME=(3, 900), LOGIN_THROTTLE_PER_IP=(100, 900))
def test_a_username_is_throttled_after_too_many_attempts_even_with_the_right_password(
    client, district_admin
):
    for n in range(3):
        assert _login(client, "home-da", ip=f"10.0.0.{n}").status_code == 200
    refused = _login(client, "HOME-DA", "correct-horse-battery", ip="10.0.0.9")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many sign-in attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_THROTTLE_PER_USERNAME=(100, 900), LOGIN_THROTTLE_PER_IP=(3, 900))
def test_an_address_is_throttled_across_usernames(client, district_admin):
    for n in range(3):
        _login(client, f"guess-{n}")
    assert _login(client, "home-da", "correct-horse-battery").status_code == 429
    # Another address is not affected.
    ok = _login(client, "home-da", "correct-horse-battery", ip="10.0.0.2")
    assert ok.status_code == 302


@override_settings(LOGIN_THROTTLE_PER_USERNAME=(3, 900), LOGIN_THROTTLE_PER_IP=(100, 900))
def test_a_successful_sign_in_clears_the_username_count(client, district_admin):
    _login(client, "home-da")
    _login(client, "home-da")
    assert _login(client, "home-da", "correct-horse-battery").status_code == 302
    client.logout()
    _login(client, "home-da")
    _login(client, "home-da")
    assert _login(client, "home-da", "correct-horse-battery").status_code == 302


def test_signing_in_rotates_the_session_and_signing_out_needs_a_post(client, district_admin):
    client.get(reverse("login"))
    before = client.cookies.get("sessionid")
    response = _login(client, "home-da", "correct-horse-battery")
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != (before.value if before else None)
    assert client.cookies["sessionid"]["httponly"]
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("portal:home")).status_code == 302


def test_the_admin_login_goes_through_the_throttled_page(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/"


def test_an_inactive_educator_cannot_sign_in(client, district_admin):
    district_admin.is_active = False
    district_admin.save(update_fields=["is_active"])
    response = _login(client, "home-da", "correct-horse-battery")
    assert response.status_code == 200
    assert "do not match an active account" in response.content.decode()


def test_a_session_lasts_a_working_day(client, district_admin):
    _login(client, "home-da", "correct-horse-battery")
    assert client.session.get_expiry_age() == 12 * 3600


@override_settings(
    LOGIN_THROTTLE_PER_USERNAME=(100, 900),
    LOGIN_THROTTLE_PER_IP=(3, 900),
    TRUSTED_PROXIES=["10.9.0.0/16"],
)
def test_behind_our_proxy_the_throttle_counts_the_forwarded_client_address(client, district_admin):
    def through_proxy(username, forwarded, password="wrong-password"):  # noqa: S107
        return client.post(
            reverse("login"),
            {"username": username, "password": password},
            REMOTE_ADDR="10.9.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for n in range(3):
        through_proxy(f"guess-{n}", "198.51.100.1")
    assert through_proxy("home-da", "198.51.100.1", "correct-horse-battery").status_code == 429
    # Another client behind the same proxy is not locked out with the guesser.
    assert through_proxy("home-da", "198.51.100.2", "correct-horse-battery").status_code == 302
