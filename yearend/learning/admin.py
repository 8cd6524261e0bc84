from django.contrib import admin

from yearend.admin_base import TenantAdmin
from yearend.learning import models

admin.site.register(models.Pathway, list_display=("code", "name", "product", "grade"))
for _model in (
    models.PathwayPlacement,
    models.TokenBalance,
    models.ThinkPointBalance,
    models.Avatar,
    models.LessonProgress,
    models.Assessment,
    models.UsageSession,
    models.FactFluency,
):
    admin.site.register(_model, TenantAdmin)
