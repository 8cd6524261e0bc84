from django.urls import path

from yearend.notices import views

app_name = "notices"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("preferences/", views.preferences, name="preferences"),
    path("<int:notice_id>/", views.notice_detail, name="detail"),
]
