"""Sign-in: sessions, throttling of failures per address and per account, the admin's login
goes through it."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from yearend import throttle
from yearend.people.models import Role

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


class FakeClock:
    """Stands in for the ``time`` module inside yearend.throttle: hours pass in a test."""

    def __init__(self, start: float = 1_000_000.0):
        self.now = start

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(throttle, "time", fake)
    return fake


@override_settings(LOGIN_ACCOUNT_BACKOFF=(3, 60, 3600), LOGIN_FAILURES_PER_ADDRESS=(100, 900))
def test_an_account_waits_after_too_many_failures_even_with_the_right_password(
    client, district_admin
):
    for n in range(3):
        assert _login(client, "home-da", ip=f"10.0.0.{n}").status_code == 200
    # The fourth failure is the first that costs a wait.
    assert _login(client, "home-da", ip="10.0.0.8").status_code == 200
    refused = _login(client, "HOME-DA", "correct-horse-battery", ip="10.0.0.9")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    text = refused.content.decode()
    assert "Too many failed sign-in attempts for this account" in text
    assert "try again in 1 minute." in text
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_ACCOUNT_BACKOFF=(3, 60, 600), LOGIN_FAILURES_PER_ADDRESS=(10_000, 900))
def test_each_further_failure_doubles_the_accounts_wait_up_to_the_cap(
    client, district_admin, clock
):
    waits = []
    for _ in range(10):
        while (response := _login(client, "home-da")).status_code == 429:
            waits.append(int(response["Retry-After"]))
            clock.now += int(response["Retry-After"])
    assert waits == [60, 120, 240, 480, 600, 600]  # after the 4th to the 9th failure
    # Once the wait is over, the person with the right password gets in.
    clock.now += 600
    assert _login(client, "home-da", "correct-horse-battery").status_code == 302


def test_guessing_one_accounts_password_stays_bounded(client, district_admin, clock):
    """A guesser with a fresh address for every try, one try every 5 seconds for an hour."""
    through = 0
    for n in range(3600 // 5):
        response = _login(client, "home-da", f"guess-{n}", ip=f"198.51.{n // 250}.{n % 250}")
        assert response.status_code in (200, 429)
        through += response.status_code == 200
        clock.now += 5
    # The default LOGIN_ACCOUNT_BACKOFF: 5 free tries, then one try per doubled wait
    # (1, 2, 4, 8, 16, 32 minutes): 11 guesses in the hour, of 720 tried.
    assert through == 5 + 6, through


@override_settings(LOGIN_FAILURES_PER_ADDRESS=(3, 900), LOGIN_ACCOUNT_BACKOFF=(100, 60, 3600))
def test_an_address_is_throttled_after_failures_across_usernames(client, district_admin):
    for n in range(3):
        assert _login(client, f"guess-{n}").status_code == 200
    refused = _login(client, "home-da", "correct-horse-battery")
    assert refused.status_code == 429
    assert "Too many failed sign-in attempts from this network address" in (
        refused.content.decode()
    )
    assert 0 < int(refused["Retry-After"]) <= 900
    # Another address is not affected.
    ok = _login(client, "home-da", "correct-horse-battery", ip="10.0.0.2")
    assert ok.status_code == 302


def test_a_school_of_200_behind_one_address_all_sign_in(client, make_user, org):
    """The first day of school: every member of staff from the school's one NAT address,
    one in ten mistyping once first. Nobody is refused."""
    for n in range(200):
        make_user(Role.TEACHER, org, username=f"staff-{n}")
    for n in range(200):
        if n % 10 == 0:
            assert _login(client, f"staff-{n}", "typo", ip="203.0.113.7").status_code == 200
        response = _login(client, f"staff-{n}", "correct-horse-battery", ip="203.0.113.7")
        assert response.status_code == 302, (n, response.status_code)
        client.logout()


@override_settings(LOGIN_ACCOUNT_BACKOFF=(3, 60, 3600), LOGIN_FAILURES_PER_ADDRESS=(100, 900))
def test_a_successful_sign_in_clears_the_accounts_failures(client, district_admin):
    _login(client, "home-da")
    _login(client, "home-da")
    assert _login(client, "home-da", "correct-horse-battery").status_code == 302
    client.logout()
    _login(client, "home-da")
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
    LOGIN_ACCOUNT_BACKOFF=(100, 60, 3600),
    LOGIN_FAILURES_PER_ADDRESS=(3, 900),
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
