from django.urls import path

from yearend.resets import views

app_name = "resets"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:site_code>/", views.organization_detail, name="organization"),
    path("<str:site_code>/start/", views.start, name="start"),
    path(
        "<str:site_code>/certificate.<str:kind>",
        views.certificate,
        name="certificate",
    ),
]
