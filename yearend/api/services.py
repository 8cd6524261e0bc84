"""Personal API tokens: create, revoke, and authenticate a presented secret.

The portal page, the ``api_token`` command and the API's authentication all call these.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from yearend.api.models import ApiToken, Scope
from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.errors import InvalidInput, NotFound, ServiceError
from yearend.people.models import User

TOKEN_PREFIX = "yer_"  # noqa: S105 (a marker that scanners recognise, not a secret)
MAX_LIFETIME_DAYS = 366
DEFAULT_LIFETIME_DAYS = 90
MAX_ACTIVE_TOKENS = 20
# last_used_at is a hint for its owner, not a log: one write a minute per token at most.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenRefused(ServiceError):
    """A presented token that does not authenticate (unknown, expired, revoked)."""

    code = "invalid_token"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    # The only time the secret exists outside its owner's hands.
    secret: str


def api_tokens_of(user: User):
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    scope: str = Scope.READ,
    lifetime_days: int = DEFAULT_LIFETIME_DAYS,
    via: str = Via.PORTAL,
    now: datetime | None = None,
) -> CreatedToken:
    """Create a token for ``user``; the returned secret is never stored or shown again."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Give the token a name, e.g. what will use it.", field="name")
    if len(name) > 100:
        raise InvalidInput("A token name is at most 100 characters.", field="name")
    if scope not in Scope.values:
        raise InvalidInput(f"Unknown scope {scope!r}; use read or read_write.", field="scope")
    if not 1 <= lifetime_days <= MAX_LIFETIME_DAYS:
        raise InvalidInput(
            f"A token lives 1 to {MAX_LIFETIME_DAYS} days, not {lifetime_days}.",
            field="lifetime_days",
        )
    if not user.is_active:
        raise InvalidInput("An inactive account cannot have API tokens.", field="user")
    now = now or timezone.now()
    active = api_tokens_of(user).filter(revoked_at__isnull=True, expires_at__gt=now).count()
    if active >= MAX_ACTIVE_TOKENS:
        raise InvalidInput(
            f"You already have {active} active tokens; revoke one you no longer use.",
            field="name",
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:12],
        secret_hash=_hash(secret),
        scope=scope,
        expires_at=now + timedelta(days=lifetime_days),
    )
    audit_record(
        action=AuditAction.API_TOKEN_CREATE,
        actor=user,
        organization=user.organization,
        via=via,
        details={
            "token": token.pk,
            "prefix": token.prefix,
            "scope": scope,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return CreatedToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(
    *, token: ApiToken, acting_user: User, via: str = Via.PORTAL, now: datetime | None = None
) -> ApiToken:
    """Revoke one of the acting user's tokens (operations may revoke anyone's). Idempotent."""
    if token.user_id != acting_user.pk and acting_user.role != "ops":
        raise NotFound("No such token.", field="token")
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )
    if revoked:
        audit_record(
            action=AuditAction.API_TOKEN_REVOKE,
            actor=acting_user,
            organization=token.user.organization,
            via=via,
            details={"token": token.pk, "prefix": token.prefix, "owner": token.user.username},
        )
    token.refresh_from_db()
    return token


def api_token_authenticate(secret: str, *, now: datetime | None = None) -> ApiToken:
    """The live token for ``secret``; raises TokenRefused saying why it is not."""
    now = now or timezone.now()
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        raise TokenRefused("The token is not valid.")
    token = (
        ApiToken.objects.select_related("user", "user__organization")
        .filter(secret_hash=_hash(secret))
        .first()
    )
    if token is None:
        raise TokenRefused("The token is not valid.")
    if token.revoked_at is not None:
        raise TokenRefused("The token was revoked.", code="token_revoked")
    if token.expires_at <= now:
        raise TokenRefused("The token has expired.", code="token_expired")
    if not token.user.is_active:
        raise TokenRefused("The token's account is disabled.", code="account_disabled")
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
