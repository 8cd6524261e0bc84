"""A fixed-window rate limiter that counts in Django's cache.

Used for sign-in (per IP and per username) and for the API (per token, per IP). Counting
in the cache, not the database, keeps a flood of requests from turning into a flood of
writes; several web processes share the count when the cache is Redis (``CACHE_URL``).

A fixed window is enough here: it bounds guessing to ``limit`` tries per window, and its
worst case (twice the limit across a window edge) is still a hard ceiling.
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


def _window(key: str, window_seconds: int, now: float) -> tuple[str, float]:
    if window_seconds <= 0:
        raise ValueError("window_seconds must be positive")
    index = int(now // window_seconds)
    # Hashed so that any key (a username with spaces, an IPv6 address) is a valid cache
    # key on every backend, and the raw username never sits in the cache.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    window_end = (index + 1) * window_seconds
    return f"throttle:{digest}:{window_seconds}:{index}", window_end


def throttle_hit(
    key: str, limit: int, window_seconds: int, *, now: float | None = None
) -> ThrottleResult:
    """Count one attempt under ``key``; refuse it when the window already holds ``limit``."""
    now = time.time() if now is None else now
    cache_key, window_end = _window(key, window_seconds, now)
    # add() is a no-op when the key exists, incr() is atomic on Redis and locmem, so two
    # processes racing on the first hit still count two.
    cache.add(cache_key, 0, timeout=window_seconds + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=window_seconds + 1)
        count = 1
    if count <= limit:
        return ThrottleResult(allowed=True, retry_after=0)
    return ThrottleResult(allowed=False, retry_after=max(1, math.ceil(window_end - now)))


def throttle_clear(key: str, window_seconds: int, *, now: float | None = None) -> None:
    """Forget the current window's count (e.g. after a successful sign-in)."""
    now = time.time() if now is None else now
    cache_key, _ = _window(key, window_seconds, now)
    cache.delete(cache_key)
