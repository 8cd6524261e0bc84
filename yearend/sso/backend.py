"""mozilla-django-oidc's authentication backend, with one provider per organization.

The library reads a single provider from settings (``OIDC_OP_*``, ``OIDC_RP_CLIENT_*``).
Here every organization has its own, so this backend takes those values per sign-in from
the provider the sign-in started with (the start view keeps its id in the session), and
the library does the rest of the code flow: state, nonce, PKCE, the token request, the
signature against the provider's published keys, the userinfo request.

What it adds on top, because the library leaves it to the site:
- the ID token's audience and issuer are checked (the library decodes with
  ``verify_aud`` off), as are its expiry and the claims it must carry;
- userinfo must describe the same subject as the ID token;
- the user is an existing educator of that organization (``educator_for_claims``),
  never created, never of another organization; a refusal says why in words.
"""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from yearend.sso.discovery import ProviderEndpoints, provider_endpoints
from yearend.sso.errors import SsoRefused
from yearend.sso.models import OidcProvider
from yearend.sso.selectors import educator_for_claims, provider_of_organization

logger = logging.getLogger(__name__)

# Where the start view leaves the provider for the callback: {"organization", "provider"}.
SESSION_KEY = "sso_sign_in"
# Seconds of clock difference between the provider and us that an expiry forgives.
CLOCK_SKEW = 30

NOT_VERIFIED = (
    "Your district's sign-in could not be verified. Start again, or sign in with your "
    "username and password."
)


def remember_sign_in(session, provider: OidcProvider) -> None:
    session[SESSION_KEY] = {"organization": provider.organization_id, "provider": provider.pk}


class OrganizationOidcBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # Nothing to read from settings yet (the library's __init__ would require one
        # global provider): _use() sets the provider's values for each sign-in.
        self.UserModel = get_user_model()
        self.provider: OidcProvider | None = None
        self.endpoints: ProviderEndpoints | None = None

    def authenticate(self, request, **kwargs):
        started = request.session.get(SESSION_KEY) if request is not None else None
        if not started or "code" not in request.GET:
            return None  # a password sign-in, or not one of ours
        self._use(provider_of_organization(started["organization"], started["provider"]))
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, jwt.PyJWTError) as error:
            logger.warning("District sign-in for %s failed: %s", self.provider.organization, error)
            raise SsoRefused(NOT_VERIFIED) from None

    def _use(self, provider: OidcProvider) -> None:
        self.provider = provider
        self.endpoints = provider_endpoints(provider.issuer)
        self.OIDC_OP_TOKEN_ENDPOINT = self.endpoints.token
        self.OIDC_OP_USER_ENDPOINT = self.endpoints.userinfo
        self.OIDC_OP_JWKS_ENDPOINT = self.endpoints.jwks
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.client_secret
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    def get_settings(self, attr, *args):
        if attr == "OIDC_TOKEN_USE_BASIC_AUTH":
            return self.endpoints.secret_in_basic_auth
        return super().get_settings(attr, *args)

    def get_payload_data(self, token, key):
        """The ID token's claims, checked for signature, audience, issuer and expiry."""
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.provider.issuer,
                leeway=CLOCK_SKEW,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise SsoRefused(
                "Your district's sign-in had expired when it reached us. Start again; if "
                "it happens again, the clock of your district's sign-in service may be wrong."
            ) from None
        except jwt.InvalidAudienceError:
            logger.warning("ID token for another audience at %s", self.provider.organization)
            raise SsoRefused(
                "Your district's sign-in was issued for another application, not this one. "
                "Ask your district administrator to check the sign-in set-up."
            ) from None

    def get_userinfo(self, access_token, id_token, payload):
        claims = super().get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SsoRefused(NOT_VERIFIED)
        return {**payload, **claims}

    def get_or_create_user(self, access_token, id_token, payload):
        # Never created: only an existing educator of the provider's organization.
        claims = self.get_userinfo(access_token, id_token, payload)
        return educator_for_claims(self.provider, claims)

    def get_user(self, user_id):
        # The library's get_user skips the is_active check: a removed educator's session
        # must end at the next request, as a password sign-in's does.
        return ModelBackend.get_user(self, user_id)
