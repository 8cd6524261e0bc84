from django.contrib import admin

from yearend.admin_base import TenantAdmin
from yearend.organizations.models import Licence, Organization, Product, School


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("site_code", "name", "kind", "time_zone", "country", "subdivision")
    list_filter = ("kind", "country", "time_zone")
    search_fields = ("site_code", "name")


@admin.register(School)
class SchoolAdmin(TenantAdmin):
    list_display = ("name", "organization", "sis_sourced_id")
    search_fields = ("name", "organization__site_code")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "lowest_grade", "highest_grade")


@admin.register(Licence)
class LicenceAdmin(TenantAdmin):
    list_display = ("organization", "product", "seats", "starts_on", "ends_on")
