from django.apps import AppConfig


class ClassesConfig(AppConfig):
    """Classes and groups: teacher assignments and student enrollments."""

    name = "yearend.classes"
    default_auto_field = "django.db.models.BigAutoField"
