from django.apps import AppConfig


class LearningConfig(AppConfig):
    """Student product data: tokens, THINK Points, avatars, pathways, progress,
    assessments, usage, fact fluency."""

    name = "yearend.learning"
    default_auto_field = "django.db.models.BigAutoField"
