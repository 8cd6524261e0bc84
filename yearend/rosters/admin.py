from django.contrib import admin, messages
from django.db.models import Count, Sum
from django.db.models.functions import Length

from yearend.rosters.models import (
    HeldBundlePart,
    HeldImport,
    ImportRun,
    ImportSettings,
    SyncSource,
    SyncState,
)
from yearend.rosters.services import held_import_approve, held_import_discard


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "organization",
        "source",
        "status",
        "school_year",
        "started_at",
        "duration_seconds",
        "message",
    ]
    list_filter = ["status", "source"]
    search_fields = ["organization__site_code", "path"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(HeldImport)
class HeldImportAdmin(admin.ModelAdmin):
    list_display = ["id", "organization", "decision", "created_at", "decided_by"]
    list_filter = ["decision"]
    exclude = ["bundle"]
    readonly_fields = [
        "organization",
        "run",
        "reasons",
        "preview",
        "digest",
        "stored_bundle",
        "decision",
        "decided_by",
        "decided_at",
        "created_at",
    ]
    actions = ["approve", "discard"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        # A hold stored before HeldBundlePart has its whole .zip in ``bundle``.
        return super().get_queryset(request).defer("bundle")

    @admin.display(description="Stored bundle")
    def stored_bundle(self, held: HeldImport) -> str:
        """How much of the bundle is stored, counted by the database (no bytes read)."""
        parts = held.parts.aggregate(count=Count("pk"), size=Sum(Length("data")))
        if parts["count"]:
            return f"{parts['size'] or 0:,} bytes in {parts['count']} part(s)"
        legacy = (
            HeldImport.unscoped.filter(pk=held.pk)
            .annotate(size=Length("bundle"))
            .values_list("size", flat=True)
            .first()
        )
        return f"{legacy:,} bytes (stored whole, before parts)" if legacy else "none"

    @admin.action(description="Approve and apply the selected held imports")
    def approve(self, request, queryset):
        for held in queryset:
            try:
                held_import_approve(held=held, acting_user=request.user)
            except Exception as error:  # shown to the operator, not a stack trace
                self.message_user(request, f"{held}: {error}", messages.ERROR)

    @admin.action(description="Discard the selected held imports")
    def discard(self, request, queryset):
        for held in queryset:
            try:
                held_import_discard(held=held, acting_user=request.user)
            except Exception as error:
                self.message_user(request, f"{held}: {error}", messages.ERROR)


@admin.register(HeldBundlePart)
class HeldBundlePartAdmin(admin.ModelAdmin):
    """Listed for the operator's eye (which hold, how many bytes), never rendered."""

    list_display = ["id", "organization", "held", "seq", "size"]
    exclude = ["data"]
    readonly_fields = ["organization", "held", "seq", "size"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data").annotate(size=Length("data"))

    @admin.display(description="Bytes", ordering="size")
    def size(self, part: HeldBundlePart) -> int:
        return part.size

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SyncSource)
class SyncSourceAdmin(admin.ModelAdmin):
    list_display = [
        "organization",
        "name",
        "folder",
        "enabled",
        "check_every_minutes",
        "last_checked_at",
    ]


@admin.register(ImportSettings)
class ImportSettingsAdmin(admin.ModelAdmin):
    list_display = ["organization", "max_removed_percent", "max_changed_percent"]


@admin.register(SyncState)
class SyncStateAdmin(admin.ModelAdmin):
    list_display = ["organization", "manual_paused_at", "reset_paused_at", "import_started_at"]
