"""Customer success gives an organization its OpenID Connect provider, or changes it."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.db import transaction

from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.errors import InvalidInput
from yearend.organizations.models import Organization
from yearend.people.models import User
from yearend.sso.models import OidcProvider


def valid_issuer(issuer: str) -> str:
    """The issuer as the provider names itself: https, or http only on this machine (a
    provider run beside the service, as the tests do); no query or fragment."""
    issuer = issuer.strip()
    parts = urlsplit(issuer)
    local = parts.scheme == "http" and _is_loopback(parts.hostname or "")
    if not (parts.scheme == "https" or local) or not parts.hostname:
        raise InvalidInput(
            f"The issuer must be an https URL such as https://accounts.google.com; got {issuer!r}.",
            field="issuer",
        )
    if parts.query or parts.fragment:
        raise InvalidInput("The issuer has no query or fragment.", field="issuer")
    return issuer


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@transaction.atomic
def oidc_provider_set(
    *,
    organization: Organization,
    issuer: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    roster_id_claim: str | None = None,
    enabled: bool = True,
    acting_user: User | None = None,
    via: str = Via.COMMAND,
) -> OidcProvider:
    """Set the organization's provider; a value left as None keeps the stored one.

    The audit row names the issuer, client id and state, never the secret (only that it
    changed).
    """
    provider = OidcProvider.tenant.of(organization).select_for_update().first()
    if provider is None:
        if not enabled and not issuer:
            raise InvalidInput(f"{organization} has no provider to disable.", field="org")
        missing = [
            name
            for name, value in (
                ("issuer", issuer),
                ("client_id", client_id),
                ("client_secret", client_secret),
            )
            if not (value or "").strip()
        ]
        if missing:
            raise InvalidInput(
                f"A new provider needs its issuer, client id and client secret; "
                f"missing: {', '.join(missing)}.",
                field=missing[0],
            )
        provider = OidcProvider(organization=organization)
    if issuer is not None:
        provider.issuer = valid_issuer(issuer)
    if client_id is not None:
        provider.client_id = _required(client_id, "client_id")
    if client_secret is not None:
        provider.client_secret = _required(client_secret, "client_secret")
    if roster_id_claim is not None:
        provider.roster_id_claim = roster_id_claim.strip()
    provider.enabled = enabled
    provider.save()
    audit_record(
        action=AuditAction.SSO_PROVIDER_SET,
        actor=acting_user,
        organization=organization,
        via=via,
        details={
            "issuer": provider.issuer,
            "client_id": provider.client_id,
            "roster_id_claim": provider.roster_id_claim,
            "enabled": provider.enabled,
            "secret_changed": client_secret is not None,
        },
    )
    return provider


def _required(value: str, field: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(f"The {field.replace('_', ' ')} may not be empty.", field=field)
    return value
