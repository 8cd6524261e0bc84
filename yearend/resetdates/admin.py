from django.contrib import admin

from yearend.admin_base import TenantAdmin
from yearend.resetdates.models import (
    DefaultResetDate,
    OrganizationResetDate,
    ResetCycle,
    ResetDateChange,
)


class DefaultResetDateInline(admin.TabularInline):
    model = DefaultResetDate
    extra = 0


@admin.register(ResetCycle)
class ResetCycleAdmin(admin.ModelAdmin):
    list_display = ("year", "window_start", "window_end", "created_at")
    inlines = [DefaultResetDateInline]


class ReadOnlyAdmin(TenantAdmin):
    """Dates move only through the date service, which checks the rules and writes the
    history; an admin form would bypass both."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OrganizationResetDate)
class OrganizationResetDateAdmin(ReadOnlyAdmin):
    list_display = ("organization", "cycle", "reset_date", "source", "locked_at")
    list_filter = ("cycle", "source", "organization")
    list_select_related = ("organization", "cycle")
    date_hierarchy = "reset_date"


@admin.register(ResetDateChange)
class ResetDateChangeAdmin(ReadOnlyAdmin):
    list_display = ("at", "organization", "cycle", "from_date", "to_date", "source", "via")
    list_display_links = None
    list_filter = ("cycle", "source", "via", "organization")
    list_select_related = ("organization", "cycle")
