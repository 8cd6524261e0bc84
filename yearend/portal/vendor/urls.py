"""The vendor pages: customer-success managers and operations (every organization)."""

from django.urls import path

from yearend.portal.vendor import reset_views, views

app_name = "vendor"

urlpatterns = [
    path("", views.home, name="home"),
    path("organizations/", views.organizations, name="organizations"),
    path("organizations/<str:site_code>/", views.organization, name="organization"),
    path("cycles/", views.cycles, name="cycles"),
    path("cycles/assign/", views.assign, name="assign"),
    path("load/", views.load, name="load"),
    path("runs/", views.runs, name="runs"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/progress/", views.run_progress, name="run-progress"),
    path("runs/<int:run_id>/resume/", views.run_resume, name="run-resume"),
    path("runs/<int:run_id>/certificate.<str:kind>", views.run_certificate, name="run-certificate"),
    path("resets/", reset_views.resets, name="resets"),
    path("resets/<str:site_code>/", reset_views.reset, name="reset"),
    path("resets/<str:site_code>/request/", reset_views.reset_request, name="reset-request"),
    path("offschedule/", views.offschedule, name="offschedule"),
    path(
        "offschedule/<int:request_id>/approve/",
        views.offschedule_approve_view,
        name="offschedule-approve",
    ),
    path(
        "offschedule/<int:request_id>/reject/",
        views.offschedule_reject_view,
        name="offschedule-reject",
    ),
]
