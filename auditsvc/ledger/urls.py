"""Ledger endpoints under /api/v1/: keys, checkpoints and proofs (public)."""

from django.urls import path, register_converter

from . import api


class LogIdConverter:
    """Log ids are plain letters and digits (DESIGN.md), so they sit in URLs as they are."""

    regex = "[A-Za-z0-9]{1,32}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LogIdConverter, "logid")

urlpatterns = [
    path("keys", api.KeysView.as_view(), name="ledger-keys"),
    path("logs/<logid:log_id>/checkpoint", api.CheckpointView.as_view(), name="ledger-checkpoint"),
    path("logs/<logid:log_id>/inclusion", api.InclusionView.as_view(), name="ledger-inclusion"),
    path(
        "logs/<logid:log_id>/consistency", api.ConsistencyView.as_view(), name="ledger-consistency"
    ),
]
