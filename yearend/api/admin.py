from django.contrib import admin

from yearend.api.models import ApiToken
from yearend.api.services import api_token_revoke
from yearend.audit.models import Via


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Operations see every token (never a secret: only its hash exists) and may revoke."""

    list_display = ["prefix", "name", "user", "scope", "created_at", "expires_at", "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["prefix", "name", "user__username"]
    readonly_fields = [f.name for f in ApiToken._meta.fields]
    raw_id_fields = ["user"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            api_token_revoke(token=token, acting_user=request.user, via=Via.PORTAL)
        self.message_user(request, "Revoked.")
