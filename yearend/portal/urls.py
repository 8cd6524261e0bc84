from django.urls import path

from yearend.portal import (
    data_views,
    date_views,
    educator_views,
    moved,
    notice_views,
    sync_views,
    views,
)

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("org/<str:site_code>/", views.organization_detail, name="organization"),
    path("org/<str:site_code>/date/", date_views.date_change, name="date"),
    path("org/<str:site_code>/school-days/", date_views.school_days, name="school-days"),
    path("org/<str:site_code>/what-will-happen/", views.what_will_happen, name="preview"),
    path("org/<str:site_code>/data/", data_views.data_page, name="data"),
    path("org/<str:site_code>/data/exports/", data_views.export_start, name="export-start"),
    path(
        "org/<str:site_code>/data/exports/<int:job_id>/",
        data_views.export_job,
        name="export-job",
    ),
    path(
        "org/<str:site_code>/data/progress.pdf",
        data_views.progress_reports,
        name="progress-reports",
    ),
    path("org/<str:site_code>/syncs/", sync_views.syncs_page, name="syncs"),
    path("org/<str:site_code>/syncs/pause/", sync_views.syncs_pause, name="syncs-pause"),
    path(
        "org/<str:site_code>/syncs/holds/<int:hold_id>/",
        sync_views.hold_decide,
        name="hold-decide",
    ),
    path("org/<str:site_code>/educators/", educator_views.educators_page, name="educators"),
    path(
        "org/<str:site_code>/educators/remove/",
        educator_views.educators_remove_view,
        name="educators-remove",
    ),
    path("org/<str:site_code>/reset/", views.reset_page, name="reset"),
    path("org/<str:site_code>/reset/progress/", views.reset_progress, name="reset-progress"),
    path(
        "org/<str:site_code>/reset/runs/<int:run_id>/certificate.<str:kind>",
        views.run_certificate,
        name="run-certificate",
    ),
    # Files without a site code in their address: the ones emails and pages already link to.
    path(
        "reports/exports/<int:job_id>/download/",
        data_views.export_file,
        name="export-download",
    ),
    path(
        "reports/archives/<int:archive_id>/download/",
        data_views.archive_file,
        name="archive-download",
    ),
    path("dates/feed/<str:token>.ics", date_views.calendar_feed, name="calendar-feed"),
    path("notices/", notice_views.notice_list, name="notices"),
    path("notices/preferences/", notice_views.preferences, name="notice-preferences"),
    path("notices/<int:notice_id>/", notice_views.notice_detail, name="notice"),
    # Pages that moved; see moved.py.
    path("rosters/<str:site_code>/", moved.roster_page),
    path("reports/<str:site_code>/progress.pdf", moved.progress_pdf),
    path("resets/", moved.resets_index),
    path("resets/<str:site_code>/", moved.reset_page),
    path("resets/<str:site_code>/start/", moved.reset_request),
    path("resets/<str:site_code>/certificate.<str:kind>", moved.latest_certificate),
]
