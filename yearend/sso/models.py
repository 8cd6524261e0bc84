from django.db import models
from django.db.models import Q

from yearend.tenancy import ResetPolicy, TenantModel


class OidcProvider(TenantModel):
    """An organization's OpenID Connect provider (Google Workspace, Microsoft Entra ID,
    Clever, ClassLink...): its staff sign in with their district account.

    Endpoints are not stored: they come from ``<issuer>/.well-known/openid-configuration``
    (yearend/sso/discovery.py), so a provider that moves them needs no change here. The
    client secret is needed to redeem sign-ins, so it is stored, and never shown again.
    """

    reset_policy = ResetPolicy.RETAIN

    issuer = models.URLField(max_length=500, help_text="e.g. https://accounts.google.com")
    client_id = models.CharField(max_length=255)
    client_secret = models.CharField(max_length=500)
    roster_id_claim = models.CharField(
        max_length=100,
        blank=True,
        default="",
        help_text="Claim carrying the educator's roster sourcedId; empty: match by email only",
    )
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "OpenID Connect provider"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="oidc_provider_one_per_org"),
            models.CheckConstraint(condition=~Q(issuer=""), name="oidc_provider_issuer_set"),
            models.CheckConstraint(condition=~Q(client_id=""), name="oidc_provider_client_set"),
            models.CheckConstraint(condition=~Q(client_secret=""), name="oidc_provider_secret_set"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} for organization {self.organization_id}"
