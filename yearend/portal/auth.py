"""Sign-in with throttling per IP address and per username (yearend.throttle).

Every sign-in attempt counts against both keys, so one address cannot guess many
accounts and many addresses cannot guess one account. A refused attempt does not even
check the password (no timing signal, no hasher cost). A successful sign-in clears the
username's count (a person who mistyped twice is not penalised for the day); the IP
count stays, so a guesser who also owns one account gains nothing by signing in with it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from yearend.client_address import client_address
from yearend.throttle import throttle_clear, throttle_hit

# (attempts, window in seconds); settings may override them.
PER_USERNAME = (5, 15 * 60)
PER_IP = (30, 15 * 60)


def _limits() -> tuple[tuple[int, int], tuple[int, int]]:
    return (
        getattr(settings, "LOGIN_THROTTLE_PER_USERNAME", PER_USERNAME),
        getattr(settings, "LOGIN_THROTTLE_PER_IP", PER_IP),
    )


def username_key(username: str) -> str:
    return f"login:user:{(username or '').strip().lower()}"


def ip_key(ip: str) -> str:
    return f"login:ip:{ip}"


class ThrottledLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        (user_limit, user_window), (ip_limit, ip_window) = _limits()
        username = request.POST.get("username", "")
        by_ip = throttle_hit(ip_key(client_address(request) or "unknown"), ip_limit, ip_window)
        by_user = throttle_hit(username_key(username), user_limit, user_window)
        refused = [r for r in (by_ip, by_user) if not r.allowed]
        if refused:
            wait = max(r.retry_after for r in refused)
            minutes = max(1, (wait + 59) // 60)
            # Unbound: a bound form would check the password when the page shows errors.
            form = self.get_form_class()(request)
            response = self.render_to_response(
                self.get_context_data(
                    form=form,
                    throttled=(
                        "Too many sign-in attempts. For your account's safety, try again in "
                        f"{minutes} minute{'s' if minutes != 1 else ''}."
                    ),
                )
            )
            response.status_code = 429
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form) -> HttpResponse:
        (_, user_window), _ = _limits()
        throttle_clear(username_key(self.request.POST.get("username", "")), user_window)
        return super().form_valid(form)
