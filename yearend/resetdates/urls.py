from django.urls import path

from yearend.resetdates import views

app_name = "resetdates"

urlpatterns = [
    path("feed/<str:token>.ics", views.calendar_feed, name="feed"),
]
