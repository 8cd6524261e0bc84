from django.apps import AppConfig


class VendorConfig(AppConfig):
    """The vendor pages (customer success, operations): installed for their templates."""

    name = "yearend.portal.vendor"
    label = "portal_vendor"
    default_auto_field = "django.db.models.BigAutoField"
