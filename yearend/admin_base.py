"""Shared shape of the operations admin for tenant tables."""

from django.contrib import admin


class TenantAdmin(admin.ModelAdmin):
    """Every tenant table is filterable by organization and safe on millions of rows."""

    list_filter = ("organization",)
    list_select_related = ("organization",)
    show_full_result_count = False
    list_per_page = 50

    def get_raw_id_fields(self, request):
        # Drop-downs of every student or class would load whole tables.
        return [
            f.name
            for f in self.model._meta.get_fields()
            if f.concrete and f.is_relation and (f.many_to_one or f.one_to_one)
        ]
