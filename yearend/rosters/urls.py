from django.urls import path

from yearend.rosters import views

app_name = "rosters"

urlpatterns = [
    path("<str:site_code>/", views.organization_detail, name="organization"),
]
