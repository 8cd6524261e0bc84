"""Which provider a sign-in goes to, and which educator a provider's user is."""

from __future__ import annotations

from yearend.organizations.models import Organization
from yearend.people.models import EDUCATOR_ROLES, User
from yearend.sso.errors import SsoRefused
from yearend.sso.models import OidcProvider

PASSWORD_INSTEAD = "Sign in with your username and password instead."  # noqa: S105


def provider_for_site_code(site_code: str) -> OidcProvider:
    """The enabled provider of the organization with this site code, or a refusal."""
    site_code = site_code.strip()
    organization = Organization.objects.filter(site_code__iexact=site_code).first()
    provider = OidcProvider.tenant.of(organization).first() if organization else None
    if provider is None:
        raise SsoRefused(
            f"Sign-in with a district account is not set up for the site code "
            f"{site_code or '(empty)'}. {PASSWORD_INSTEAD}",
            field="site_code",
        )
    return _enabled(provider, organization)


def provider_of_organization(organization_id: int, provider_id: int) -> OidcProvider:
    """The provider a sign-in started with, as it is now (it may have been turned off)."""
    provider = (
        OidcProvider.tenant.of(organization_id)
        .select_related("organization")
        .filter(pk=provider_id)
        .first()
    )
    if provider is None:
        raise SsoRefused(f"Sign-in with a district account is not set up. {PASSWORD_INSTEAD}")
    return _enabled(provider, provider.organization)


def _enabled(provider: OidcProvider, organization: Organization) -> OidcProvider:
    if not provider.enabled:
        raise SsoRefused(
            f"Sign-in with a district account is turned off for {organization.name}. "
            f"{PASSWORD_INSTEAD}"
        )
    return provider


def educator_for_claims(provider: OidcProvider, claims: dict) -> User:
    """The one active educator of the provider's organization these claims name.

    By the roster's identifier when the provider sends one (``roster_id_claim``), else by
    a verified email. Only educators of that organization: never vendor staff, never an
    account of another organization with the same email, and never a new account.
    """
    organization = provider.organization
    educators = User.objects.filter(
        organization=organization, role__in=EDUCATOR_ROLES, is_active=True
    )
    roster_id = str(claims.get(provider.roster_id_claim) or "").strip()
    if provider.roster_id_claim and roster_id:
        educator = educators.filter(sis_sourced_id=roster_id).first()
        if educator is not None:
            return educator
    email = str(claims.get("email") or "").strip()
    verified = claims.get("email_verified", True) is not False
    if email and verified:
        matches = list(educators.filter(email__iexact=email)[:2])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise SsoRefused(
                f"More than one educator of {organization.name} has the email {email}, so "
                f"we cannot tell which one you are. {PASSWORD_INSTEAD}"
            )
    account = f"Your district account ({email})" if email and verified else "Your district account"
    raise SsoRefused(
        f"{account} does not match an educator of {organization.name}. Ask your district "
        "administrator to add you with this email address, or sign in with your username "
        "and password."
    )
