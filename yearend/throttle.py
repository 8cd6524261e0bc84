"""Rate limits that count in Django's cache: a fixed window and a growing back-off.

Used for sign-in (failures per address, back-off per account) and for the API (per
token, per IP). Counting in the cache, not the database, keeps a flood of requests from
turning into a flood of writes; several web processes share the count when the cache is
Redis (``CACHE_URL``).

A fixed window is enough for rates: it bounds attempts to ``limit`` per window, and its
worst case (twice the limit across a window edge) is still a hard ceiling. A back-off is
for guessing one secret: a few free tries, then every further failure doubles the wait,
so guesses per day stay few while a person who mistyped waits a minute, not a day.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class ThrottleResult:
    allowed: bool
    # Whole seconds until the current window ends (0 when allowed): what a 429 puts in
    # its Retry-After header.
    retry_after: int


def _digest(key: str) -> str:
    # Hashed so that any key (a username with spaces, an IPv6 address) is a valid cache
    # key on every backend, and the raw username never sits in the cache.
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _window(key: str, window_seconds: int, now: float) -> tuple[str, float]:
    if window_seconds <= 0:
        raise ValueError("window_seconds must be positive")
    index = int(now // window_seconds)
    window_end = (index + 1) * window_seconds
    return f"throttle:{_digest(key)}:{window_seconds}:{index}", window_end


def _increment(cache_key: str, timeout: int) -> int:
    # add() is a no-op when the key exists, incr() is atomic on Redis and locmem, so two
    # processes racing on the first hit still count two.
    cache.add(cache_key, 0, timeout=timeout)
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=timeout)
        return 1


def throttle_hit(
    key: str, limit: int, window_seconds: int, *, now: float | None = None
) -> ThrottleResult:
    """Count one attempt under ``key``; refuse it when the window already holds ``limit``."""
    now = time.time() if now is None else now
    cache_key, window_end = _window(key, window_seconds, now)
    count = _increment(cache_key, window_seconds + 1)
    if count <= limit:
        return ThrottleResult(allowed=True, retry_after=0)
    return ThrottleResult(allowed=False, retry_after=max(1, math.ceil(window_end - now)))


def throttle_peek(
    key: str, limit: int, window_seconds: int, *, now: float | None = None
) -> ThrottleResult:
    """Whether one more attempt fits in the window, without counting it.

    With ``throttle_count`` this counts only the attempts that turn out to matter (a failed
    sign-in), while every attempt is still refused once the window is full.
    """
    now = time.time() if now is None else now
    cache_key, window_end = _window(key, window_seconds, now)
    if (cache.get(cache_key) or 0) < limit:
        return ThrottleResult(allowed=True, retry_after=0)
    return ThrottleResult(allowed=False, retry_after=max(1, math.ceil(window_end - now)))


def throttle_count(key: str, window_seconds: int, *, now: float | None = None) -> int:
    """Count one attempt under ``key`` in the current window; the window's count after it."""
    now = time.time() if now is None else now
    cache_key, _ = _window(key, window_seconds, now)
    return _increment(cache_key, window_seconds + 1)


def throttle_clear(key: str, window_seconds: int, *, now: float | None = None) -> None:
    """Forget the current window's count."""
    now = time.time() if now is None else now
    cache_key, _ = _window(key, window_seconds, now)
    cache.delete(cache_key)


@dataclass(frozen=True)
class Backoff:
    """``free`` failures cost nothing; the next waits ``first_wait`` seconds, and every
    failure after it doubles the wait, up to ``max_wait``. A key with no failure for
    ``forget_after`` seconds starts afresh."""

    free: int
    first_wait: int
    max_wait: int
    forget_after: int = 24 * 3600

    def wait_after(self, failures: int) -> int:
        """Seconds to wait after the ``failures``-th failure in a row."""
        if failures <= self.free:
            return 0
        doublings = min(failures - self.free - 1, 32)  # 2**32 minutes is past any cap
        return min(self.first_wait * 2**doublings, self.max_wait)


def _backoff_keys(key: str) -> tuple[str, str]:
    digest = _digest(key)
    return f"backoff:{digest}:failures", f"backoff:{digest}:last"


def backoff_wait(key: str, policy: Backoff, *, now: float | None = None) -> int:
    """Whole seconds before ``key`` may try again; 0 when it may try now."""
    now = time.time() if now is None else now
    failures_key, last_key = _backoff_keys(key)
    stored = cache.get_many([failures_key, last_key])
    failures, last = stored.get(failures_key, 0), stored.get(last_key)
    if last is None:
        return 0
    return max(0, math.ceil(last + policy.wait_after(failures) - now))


def backoff_fail(key: str, policy: Backoff, *, now: float | None = None) -> int:
    """Record one failure under ``key``; the wait (seconds) it puts on the next try."""
    now = time.time() if now is None else now
    failures_key, last_key = _backoff_keys(key)
    failures = _increment(failures_key, policy.forget_after)
    cache.touch(failures_key, policy.forget_after)  # quiet for a day, not since the first
    cache.set(last_key, now, timeout=policy.forget_after)
    return policy.wait_after(failures)


def backoff_clear(key: str) -> None:
    """Forget ``key``'s failures (it proved itself, e.g. a successful sign-in)."""
    cache.delete_many(_backoff_keys(key))
