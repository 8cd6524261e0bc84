from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """People: educator and vendor-staff accounts, students."""

    name = "yearend.people"
    default_auto_field = "django.db.models.BigAutoField"
