"""Health and metrics, mounted at the site root (no sign-in; /metrics may need a token)."""

from django.urls import path

from yearend.health import views

app_name = "health"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("metrics", views.metrics, name="metrics"),
]
