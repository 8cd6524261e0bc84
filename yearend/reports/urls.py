from django.urls import path

from yearend.reports import views

app_name = "reports"

urlpatterns = [
    path("<str:site_code>/exports/", views.export_create, name="export-create"),
    path("exports/<int:job_id>/", views.export_status, name="export-status"),
    path("exports/<int:job_id>/download/", views.export_download, name="export-download"),
    path("archives/<int:archive_id>/download/", views.archive_download, name="archive-download"),
    path("<str:site_code>/progress.pdf", views.progress_pdf, name="progress-pdf"),
]
