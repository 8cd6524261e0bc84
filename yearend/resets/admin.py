from django.contrib import admin

from yearend.admin_base import TenantAdmin
from yearend.resets.models import OffScheduleRequest, ResetRun, SchoolPurge


@admin.register(ResetRun)
class ResetRunAdmin(TenantAdmin):
    list_display = ("id", "organization", "cycle", "status", "step", "started_at", "finished_at")
    list_filter = ("status", "step", "organization")
    readonly_fields = [f.name for f in ResetRun._meta.fields]
    search_fields = ("organization__site_code",)

    def has_add_permission(self, request):
        return False  # runs are started through the service, never typed in


@admin.register(SchoolPurge)
class SchoolPurgeAdmin(TenantAdmin):
    list_display = ("run", "school", "done", "batches", "updated_at")
    readonly_fields = [f.name for f in SchoolPurge._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(OffScheduleRequest)
class OffScheduleRequestAdmin(TenantAdmin):
    list_display = ("id", "organization", "status", "requested_by", "decided_by", "requested_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in OffScheduleRequest._meta.fields]
    search_fields = ("organization__site_code",)

    def has_add_permission(self, request):
        return False  # requested and decided through the service (two people), never typed in

    def has_change_permission(self, request, obj=None):
        return False
