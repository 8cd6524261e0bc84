from django.contrib import admin

from yearend.admin_base import TenantAdmin
from yearend.notices.models import Notice, NoticeOptOut


@admin.register(Notice)
class NoticeAdmin(TenantAdmin):
    list_display = ("id", "created_at", "organization", "recipient", "kind", "delivery", "sent_at")
    list_filter = ("kind", "delivery")
    search_fields = ("organization__site_code", "recipient__username", "subject")
    readonly_fields = [f.name for f in Notice._meta.fields]

    def has_add_permission(self, request):
        return False  # notices are planned from the data, never typed in


@admin.register(NoticeOptOut)
class NoticeOptOutAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "created_at")
    list_filter = ("kind",)
