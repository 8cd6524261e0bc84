"""Sign in with your district account: the two doors of the OpenID Connect code flow.

The start page takes the site code, finds the organization's provider and sends the
browser there (``?site_code=TX001`` can be linked from a district's own staff portal);
the callback page receives the provider's answer. mozilla-django-oidc's views do the
protocol; these only choose the provider and put a refusal into words on the sign-in page.
"""

from __future__ import annotations

import logging

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from yearend.sso.backend import SESSION_KEY, remember_sign_in
from yearend.sso.discovery import provider_endpoints
from yearend.sso.errors import SsoRefused
from yearend.sso.selectors import provider_for_site_code

logger = logging.getLogger(__name__)

NOT_COMPLETED = (
    "Sign-in with your district account did not complete. Start again, or sign in with "
    "your username and password."
)


def _refused(request: HttpRequest, message: str, site_code: str = "") -> HttpResponse:
    context = {
        "form": AuthenticationForm(request),
        "sso_refused": message,
        "site_code": site_code,
        "next": request.GET.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=403)


class DistrictSignInStart(OIDCAuthenticationRequestView):
    def __init__(self, **kwargs):
        # Skip the library's __init__: it reads one provider from settings. get() sets
        # the organization's.
        View.__init__(self, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        site_code = request.GET.get("site_code", "").strip()
        try:
            provider = provider_for_site_code(site_code)
            endpoints = provider_endpoints(provider.issuer)
        except SsoRefused as refusal:
            return _refused(request, refusal.message, site_code)
        self.OIDC_OP_AUTH_ENDPOINT = endpoints.authorization
        self.OIDC_RP_CLIENT_ID = provider.client_id
        remember_sign_in(request.session, provider)
        return super().get(request)


class DistrictSignInCallback(OIDCAuthenticationCallbackView):
    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except SsoRefused as refusal:
            return _refused(request, refusal.message)
        except SuspiciousOperation as error:
            # A state this browser never started (an old or copied link), or a token the
            # library refused (nonce, signing key).
            logger.warning("District sign-in refused: %s", error)
            return _refused(request, NOT_COMPLETED)

    def login_success(self) -> HttpResponse:
        self.request.session.pop(SESSION_KEY, None)
        return super().login_success()

    def login_failure(self) -> HttpResponse:
        return _refused(self.request, NOT_COMPLETED)
