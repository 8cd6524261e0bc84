from django.apps import AppConfig


class SsoConfig(AppConfig):
    """Sign-in with a district account: each organization's OpenID Connect provider."""

    name = "yearend.sso"
    default_auto_field = "django.db.models.BigAutoField"
