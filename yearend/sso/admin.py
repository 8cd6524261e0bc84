from django import forms
from django.contrib import admin

from yearend.admin_base import TenantAdmin
from yearend.audit.models import Via
from yearend.errors import ServiceError
from yearend.sso.models import OidcProvider
from yearend.sso.services import oidc_provider_set, valid_issuer


class OidcProviderForm(forms.ModelForm):
    issuer = forms.URLField(max_length=500, assume_scheme="https")
    # Write-only: the stored secret is never rendered back into the page.
    client_secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the stored secret. It is never shown.",
    )

    class Meta:
        model = OidcProvider
        fields = ["organization", "issuer", "client_id", "client_secret", "roster_id_claim"]
        fields += ["enabled"]

    def clean_issuer(self):
        try:
            return valid_issuer(self.cleaned_data["issuer"])
        except ServiceError as error:
            raise forms.ValidationError(error.message) from None

    def clean_client_secret(self):
        secret = self.cleaned_data["client_secret"].strip()
        if not secret and self.instance.pk is None:
            raise forms.ValidationError("A new provider needs its client secret.")
        return secret or None


@admin.register(OidcProvider)
class OidcProviderAdmin(TenantAdmin):
    form = OidcProviderForm
    list_display = ("organization", "issuer", "client_id", "enabled", "updated_at")
    search_fields = ("organization__site_code", "organization__name", "issuer")

    def save_model(self, request, obj, form, change):
        # Through the service, so the change leaves its audit row like the command's.
        data = form.cleaned_data
        saved = oidc_provider_set(
            organization=data["organization"],
            issuer=data["issuer"],
            client_id=data["client_id"],
            client_secret=data["client_secret"],
            roster_id_claim=data["roster_id_claim"],
            enabled=data["enabled"],
            acting_user=request.user,
            via=Via.PORTAL,
        )
        obj.pk = saved.pk
