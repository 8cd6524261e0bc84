"""Sign-in with a password, throttled so that guessing stays slow and schools stay in.

Only failed sign-ins count, under two keys (yearend.throttle):

- per client address, a window of failures (``LOGIN_FAILURES_PER_ADDRESS``) high enough
  for a school whose staff all sign in from one NAT address on the first day: successes
  never count, so a school is never refused because many of its people signed in;
- per account, a growing back-off (``LOGIN_ACCOUNT_BACKOFF``): a few free failures, then
  each further failure doubles the wait, capped. Guesses at one password stay few per
  day however many addresses they come from, and a person who mistyped, or whose account
  someone else tried, waits minutes at most, not a fixed lock renewed at will.

A refused attempt does not even check the password (no timing signal, no hasher cost,
no guess). A successful sign-in forgets the account's failures; the address's count stays,
so a guesser who also owns one account gains nothing by signing in with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from yearend.client_address import client_address
from yearend.throttle import (
    Backoff,
    backoff_clear,
    backoff_fail,
    backoff_wait,
    throttle_count,
    throttle_peek,
)


@dataclass(frozen=True)
class SignInRefusal:
    limit: str  # "address" or "account": which limit was hit
    retry_after: int  # seconds

    @property
    def message(self) -> str:
        wait = _duration(self.retry_after)
        if self.limit == "address":
            return (
                f"Too many failed sign-in attempts from this network address. Try again in {wait}."
            )
        return (
            "Too many failed sign-in attempts for this account. For its safety, "
            f"try again in {wait}."
        )


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = (seconds + 59) // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _address_limit() -> tuple[int, int]:
    limit, window = settings.LOGIN_FAILURES_PER_ADDRESS
    return int(limit), int(window)


def _account_backoff() -> Backoff:
    free, first_wait, max_wait = settings.LOGIN_ACCOUNT_BACKOFF
    return Backoff(free=free, first_wait=first_wait, max_wait=max_wait)


def account_key(username: str) -> str:
    return f"login:account:{(username or '').strip().lower()}"


def address_key(address: str | None) -> str:
    return f"login:address:{address or 'unknown'}"


def sign_in_refusal(address: str | None, username: str) -> SignInRefusal | None:
    """Why this attempt may not even be tried now, or None."""
    limit, window = _address_limit()
    by_address = throttle_peek(address_key(address), limit, window)
    if not by_address.allowed:
        return SignInRefusal("address", by_address.retry_after)
    wait = backoff_wait(account_key(username), _account_backoff())
    if wait:
        return SignInRefusal("account", wait)
    return None


def sign_in_failed(address: str | None, username: str) -> None:
    _, window = _address_limit()
    throttle_count(address_key(address), window)
    backoff_fail(account_key(username), _account_backoff())


def sign_in_succeeded(username: str) -> None:
    backoff_clear(account_key(username))


class ThrottledLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        refusal = sign_in_refusal(client_address(request), request.POST.get("username", ""))
        if refusal is None:
            return super().post(request, *args, **kwargs)
        # Unbound: a bound form would check the password when the page shows errors.
        form = self.get_form_class()(request)
        response = self.render_to_response(
            self.get_context_data(form=form, throttled=refusal.message)
        )
        response.status_code = 429
        response["Retry-After"] = str(refusal.retry_after)
        return response

    def form_invalid(self, form) -> HttpResponse:
        sign_in_failed(client_address(self.request), self.request.POST.get("username", ""))
        return super().form_invalid(form)

    def form_valid(self, form) -> HttpResponse:
        sign_in_succeeded(self.request.POST.get("username", ""))
        return super().form_valid(form)
