"""Whose address a request carries: X-Forwarded-For counts only when our own proxy sent it."""

import pytest
from django.test import RequestFactory, override_settings

from yearend.client_address import client_address, trusted_networks

pytestmark = pytest.mark.core


def _request(remote="203.0.113.7", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_a_forwarded_header_is_ignored():
    assert client_address(_request(forwarded="198.51.100.1")) == "203.0.113.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_header_from_an_untrusted_peer_is_ignored():
    assert client_address(_request(forwarded="198.51.100.1")) == "203.0.113.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8", "192.168.1.5"])
def test_behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client():
    # The client forged the first hop; our two proxies appended what they saw.
    request = _request("10.0.0.2", "1.2.3.4, 198.51.100.1, 192.168.1.5")
    assert client_address(request) == "198.51.100.1"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_garbage_hop_stops_the_walk_at_the_last_address_we_know():
    assert client_address(_request("10.0.0.2", "198.51.100.1, not-an-ip")) == "10.0.0.2"
    assert client_address(_request("10.0.0.2", "")) == "10.0.0.2"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_when_every_hop_is_ours_the_first_one_is_the_client():
    assert client_address(_request("10.0.0.2", "10.1.1.1, 10.2.2.2")) == "10.1.1.1"


@override_settings(TRUSTED_PROXIES=["2001:db8::/32"])
def test_ipv6_proxies():
    assert client_address(_request("2001:db8::1", "2001:db9::5")) == "2001:db9::5"


def test_a_typo_in_the_setting_is_named():
    with pytest.raises(ValueError, match=r"'10\.0\.0\.300' is not an IP address"):
        trusted_networks(("10.0.0.300",))
