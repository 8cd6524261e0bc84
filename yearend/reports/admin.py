from django.contrib import admin

from yearend.admin_base import TenantAdmin
from yearend.reports.models import ExportJob, ProgressReportPrint, ReportSettings, YearEndArchive


@admin.register(ReportSettings)
class ReportSettingsAdmin(TenantAdmin):
    list_display = ("organization", "archive_retention_days")


@admin.register(ExportJob)
class ExportJobAdmin(TenantAdmin):
    list_display = ("id", "organization", "school", "format", "status", "rows_done", "expires_at")
    list_filter = ("status", "organization")
    readonly_fields = ("file_name", "rows_done", "rows_total", "error")


@admin.register(ProgressReportPrint)
class ProgressReportPrintAdmin(TenantAdmin):
    list_display = ("id", "organization", "school", "printed_at", "via", "printed_by")
    list_filter = ("via", "organization")


@admin.register(YearEndArchive)
class YearEndArchiveAdmin(TenantAdmin):
    list_display = ("id", "organization", "reset_run_id", "rows", "expires_at", "destroyed_at")
    readonly_fields = ("file_name", "rows", "created_at", "destroyed_at")
