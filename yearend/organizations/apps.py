from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    """Organizations: districts and independent schools (the tenants), their schools,
    products and licences."""

    name = "yearend.organizations"
    default_auto_field = "django.db.models.BigAutoField"
