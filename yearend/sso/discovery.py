"""A provider's endpoints, read from ``<issuer>/.well-known/openid-configuration``.

Read at sign-in, not stored, and kept an hour in the cache: providers move endpoints and
rotate keys on their own schedule, and a district's first morning is thousands of
sign-ins that need not each ask again.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.cache import cache

from yearend.sso.errors import SsoRefused

logger = logging.getLogger(__name__)

CACHE_SECONDS = 3600
UNREACHABLE = (
    "Your district's sign-in service did not answer. Try again in a minute, or sign in "
    "with your username and password."
)


@dataclass(frozen=True)
class ProviderEndpoints:
    authorization: str
    token: str
    userinfo: str
    jwks: str
    # How the client secret goes to the token endpoint: HTTP Basic, the standard's default,
    # unless the provider supports only the form field.
    secret_in_basic_auth: bool


def provider_endpoints(issuer: str) -> ProviderEndpoints:
    key = f"sso:discovery:{hashlib.sha256(issuer.encode()).hexdigest()[:32]}"
    endpoints = cache.get(key)
    if endpoints is None:
        endpoints = _discover(issuer)
        cache.set(key, endpoints, CACHE_SECONDS)
    return endpoints


def _discover(issuer: str) -> ProviderEndpoints:
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        logger.warning("OpenID discovery failed at %s: %s", url, error)
        raise SsoRefused(UNREACHABLE) from None
    # The document must speak for the issuer it was fetched for (OpenID Connect
    # Discovery 4.3): otherwise tokens "from" it could come from anyone.
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        logger.warning("OpenID discovery at %s names another issuer", url)
        raise SsoRefused(UNREACHABLE)
    try:
        methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        return ProviderEndpoints(
            authorization=document["authorization_endpoint"],
            token=document["token_endpoint"],
            userinfo=document["userinfo_endpoint"],
            jwks=document["jwks_uri"],
            secret_in_basic_auth="client_secret_basic" in methods,
        )
    except KeyError as missing:
        logger.warning("OpenID discovery at %s lacks %s", url, missing)
        raise SsoRefused(UNREACHABLE) from None
