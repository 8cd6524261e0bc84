"""Who may read /metrics: this machine, or whoever presents METRICS_TOKEN when it is set."""

import pytest

pytestmark = [pytest.mark.core, pytest.mark.django_db, pytest.mark.urls("yearend.health.urls")]


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_this_machine_reads_metrics_without_a_token(client, settings, address):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR=address).status_code == 200


@pytest.mark.parametrize("address", ["10.1.2.3", "198.51.100.7", "2001:db8::1", ""])
def test_anyone_else_is_refused_without_a_token(client, settings, address):
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics", REMOTE_ADDR=address)
    assert response.status_code == 403
    assert "METRICS_TOKEN" in response.content.decode()


def test_behind_our_proxy_the_forwarded_client_counts_not_the_proxy(client, settings):
    settings.METRICS_TOKEN = ""
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    forwarded = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert forwarded.status_code == 403


def test_with_a_token_set_any_address_that_presents_it_reads_metrics(client, settings):
    settings.METRICS_TOKEN = "s3cret"
    far = {"REMOTE_ADDR": "198.51.100.7"}
    assert client.get("/metrics", **far).status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **far).status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret", **far).status_code == 200
    # This machine needs it too once it is set: one rule, not two.
    assert client.get("/metrics").status_code == 401
