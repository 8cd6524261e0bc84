from django.urls import path

from yearend.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("org/<str:site_code>/", views.organization_detail, name="organization"),
]
