"""Who is calling: a personal API token (``Authorization: Bearer``) or the browser session.

Sessions must send the CSRF token on writes, as the portal's forms do. Read-only tokens
are refused on writes. Every caller is rate limited (per token, per signed-in user), and
failed token attempts are limited per client IP, so guessing tokens is bounded too.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie

from yearend.api.errors import ApiProblem
from yearend.api.services import TokenRefused, api_token_authenticate
from yearend.client_address import client_address
from yearend.people.models import User
from yearend.throttle import throttle_hit

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _rate(name: str, default: tuple[int, int]) -> tuple[int, int]:
    """(limit, window seconds) from settings, e.g. API_RATE_PER_TOKEN = (600, 60)."""
    return tuple(getattr(settings, name, default))  # type: ignore[return-value]


def _throttle(key: str, setting: str, default: tuple[int, int], what: str) -> None:
    limit, window = _rate(setting, default)
    result = throttle_hit(key, limit, window)
    if not result.allowed:
        raise ApiProblem(
            429,
            "rate_limited",
            f"Too many requests {what}; retry in {result.retry_after} seconds.",
            retry_after=result.retry_after,
        )


def _refuse_write_without_scope(request: HttpRequest, can_write: bool) -> None:
    if request.method not in SAFE_METHODS and not can_write:
        raise ApiProblem(
            403, "token_read_only", "This token is read-only; create a read-write token to write."
        )


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        try:
            api_token = api_token_authenticate(token.strip())
        except TokenRefused as refusal:
            _throttle(
                f"api-signin-ip:{client_address(request)}",
                "API_RATE_FAILED_PER_IP",
                (20, 300),
                "with invalid tokens from this address",
            )
            raise ApiProblem(401, refusal.code, refusal.message) from None
        _throttle(f"api-token:{api_token.pk}", "API_RATE_PER_TOKEN", (600, 60), "with this token")
        _refuse_write_without_scope(request, api_token.can_write)
        request.api_token = api_token
        return api_token.user


class SessionWithCsrf(APIKeyCookie):
    """The portal's session; writes need the CSRF token (header X-CSRFToken)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, only once we know who is calling

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in SAFE_METHODS:
            check = CsrfViewMiddleware(lambda r: None)
            request.csrf_processing_done = False
            check.process_request(request)
            if check.process_view(request, lambda r: None, (), {}) is not None:
                raise ApiProblem(
                    403,
                    "csrf_failed",
                    "A signed-in browser must send the CSRF token (X-CSRFToken header).",
                )
        _throttle(f"api-user:{user.pk}", "API_RATE_PER_TOKEN", (600, 60), "from this account")
        request.api_token = None
        return user


api_auth = [BearerToken(), SessionWithCsrf()]
