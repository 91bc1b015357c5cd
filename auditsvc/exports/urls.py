"""Export endpoints under /api/v1/ (auditors)."""

from django.urls import path

from . import api

urlpatterns = [
    path("exports", api.ExportListView.as_view(), name="exports-request"),
    path("exports/<uuid:export_id>", api.ExportDetailView.as_view(), name="exports-status"),
    path(
        "exports/<uuid:export_id>/download",
        api.ExportDownloadView.as_view(),
        name="exports-download",
    ),
]
