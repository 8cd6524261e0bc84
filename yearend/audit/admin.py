from django.contrib import admin

from yearend.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "organization", "via")
    list_filter = ("via", "action", "organization")
    show_full_result_count = False

    # Append-only: the trail is read here, never edited.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
