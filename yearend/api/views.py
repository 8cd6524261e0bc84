"""The personal API token page: list, create (the secret shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yearend.api.models import ApiToken, Scope
from yearend.api.services import (
    DEFAULT_LIFETIME_DAYS,
    api_token_create,
    api_token_revoke,
    api_tokens_of,
)
from yearend.audit.models import Via
from yearend.errors import ServiceError

LIFETIMES = (30, 90, 180, 365)


def _page(request, *, created=None, error=None, status=200):
    return render(
        request,
        "api/tokens.html",
        {
            "tokens": api_tokens_of(request.user),
            "created": created,
            "error": error,
            "scopes": Scope.choices,
            "lifetimes": LIFETIMES,
            "default_lifetime": DEFAULT_LIFETIME_DAYS,
            "now": timezone.now(),
        },
        status=status,
    )


@never_cache
@login_required
def tokens(request):
    if request.method != "POST":
        return _page(request)
    try:
        lifetime = int(request.POST.get("lifetime_days", DEFAULT_LIFETIME_DAYS))
    except ValueError:
        lifetime = 0
    try:
        created = api_token_create(
            user=request.user,
            name=request.POST.get("name", ""),
            scope=request.POST.get("scope", Scope.READ),
            lifetime_days=lifetime,
            via=Via.PORTAL,
        )
    except ServiceError as error:
        return _page(request, error=error, status=400)
    # Rendered, not redirected: the secret must never be stored to show it later.
    return _page(request, created=created)


@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = ApiToken.objects.filter(pk=token_id, user=request.user).first()
    if token is None:
        raise Http404("No such token")
    api_token_revoke(token=token, acting_user=request.user, via=Via.PORTAL)
    messages.success(request, f"Token {token.name} ({token.prefix}…) revoked.")
    return redirect("api-tokens")
