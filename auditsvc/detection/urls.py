"""URLs of the detection API (mounted under /api/v1/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("alerts", api.AlertListView.as_view(), name="alerts"),
]
