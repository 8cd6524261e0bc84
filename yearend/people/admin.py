from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from yearend.admin_base import TenantAdmin
from yearend.people.models import SchoolMembership, Student, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "role", "organization", "last_login", "is_active")
    list_filter = ("role", "organization", "is_active")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Role", {"fields": ("role", "organization", "sis_sourced_id")}),
    )
    raw_id_fields = ("organization",)


@admin.register(SchoolMembership)
class SchoolMembershipAdmin(TenantAdmin):
    list_display = ("user", "school", "organization")


@admin.register(Student)
class StudentAdmin(TenantAdmin):
    list_display = ("id", "organization", "school", "grade", "epoch")
    list_filter = ("organization", "grade")
    exclude = ("password",)
