"""The cache-based fixed-window limiter behind sign-in and API throttling."""

import pytest
from django.core.cache import cache

from yearend.throttle import throttle_clear, throttle_hit


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_it_allows_up_to_the_limit_then_refuses():
    results = [
        throttle_hit("ip:10.0.0.1", limit=3, window_seconds=60, now=1000.0) for _ in range(4)
    ]
    assert [r.allowed for r in results] == [True, True, True, False]
    assert results[0].retry_after == 0


def test_it_says_how_long_until_the_window_ends():
    for _ in range(2):
        throttle_hit("user:dana", limit=2, window_seconds=60, now=1210.0)
    refused = throttle_hit("user:dana", limit=2, window_seconds=60, now=1210.0)
    # The window is [1200, 1260): 50 seconds left.
    assert not refused.allowed
    assert refused.retry_after == 50


def test_retry_after_is_at_least_one_second():
    throttle_hit("k", limit=1, window_seconds=10, now=19.9)
    refused = throttle_hit("k", limit=1, window_seconds=10, now=19.9)
    assert refused.retry_after == 1


def test_a_new_window_starts_counting_afresh():
    for _ in range(3):
        throttle_hit("token:abc", limit=2, window_seconds=60, now=60.0)
    assert not throttle_hit("token:abc", limit=2, window_seconds=60, now=119.0).allowed
    assert throttle_hit("token:abc", limit=2, window_seconds=60, now=120.0).allowed


def test_keys_are_counted_separately():
    throttle_hit("ip:1", limit=1, window_seconds=60, now=0.0)
    assert not throttle_hit("ip:1", limit=1, window_seconds=60, now=1.0).allowed
    assert throttle_hit("ip:2", limit=1, window_seconds=60, now=1.0).allowed


def test_any_text_is_a_usable_key():
    key = "user:Ünïcode name with spaces and a very long tail " + "x" * 300
    assert throttle_hit(key, limit=1, window_seconds=60).allowed
    assert not throttle_hit(key, limit=1, window_seconds=60).allowed


def test_clear_forgets_the_current_window():
    throttle_hit("user:dana", limit=1, window_seconds=60, now=5.0)
    assert not throttle_hit("user:dana", limit=1, window_seconds=60, now=6.0).allowed
    throttle_clear("user:dana", window_seconds=60, now=7.0)
    assert throttle_hit("user:dana", limit=1, window_seconds=60, now=8.0).allowed


def test_a_window_must_have_a_length():
    with pytest.raises(ValueError, match="window_seconds"):
        throttle_hit("k", limit=1, window_seconds=0)
