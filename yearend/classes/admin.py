from django.contrib import admin

from yearend.admin_base import TenantAdmin
from yearend.classes.models import Enrollment, SchoolClass, TeacherAssignment


@admin.register(SchoolClass)
class SchoolClassAdmin(TenantAdmin):
    list_display = ("name", "school", "grade", "organization", "epoch")


@admin.register(TeacherAssignment)
class TeacherAssignmentAdmin(TenantAdmin):
    list_display = ("school_class", "teacher", "organization")


@admin.register(Enrollment)
class EnrollmentAdmin(TenantAdmin):
    list_display = ("school_class", "student", "organization")
