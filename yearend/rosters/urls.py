from django.urls import path

from yearend.rosters import views

app_name = "rosters"

urlpatterns = [
    path("<str:site_code>/", views.organization_detail, name="organization"),
    path("<str:site_code>/pause/", views.pause, name="pause"),
    path("<str:site_code>/holds/<int:hold_id>/", views.decide, name="decide"),
]
