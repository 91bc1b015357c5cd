"""URLs of the ingestion API (mounted under /api/v1/)."""

from django.urls import path

from auditsvc.ledger.urls import LogIdConverter  # noqa: F401  (registers the "logid" converter)

from . import api

urlpatterns = [
    path("sessions", api.SessionOpenView.as_view(), name="sessions"),
    # <str:> rather than <uuid:>: a malformed id gets a problem+json 404 from the view.
    path("sessions/<str:session_id>/close", api.SessionCloseView.as_view(), name="session-close"),
    path("access-events", api.AccessEventsView.as_view(), name="access-events"),
    path("account-events", api.AccountEventsView.as_view(), name="account-events"),
    path("receipts/<logid:log_id>/<int:seq>", api.ReceiptView.as_view(), name="ledger-receipt"),
]
