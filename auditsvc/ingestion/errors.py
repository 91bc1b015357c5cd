"""Errors of the ingestion API, each with a stable code and HTTP status.

Malformed bodies are ``auditsvc.base.errors.ValidationFailed`` (400, one
entry per bad field). Breaking the partner's authorisation is never an error:
the record is kept and the breach returned as ``violations``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from auditsvc.base.errors import NotFound, ServiceError


class IngestionError(ServiceError):
    code = "ingestion_error"


class WrongPartnerKind(IngestionError):
    code = "wrong_partner_kind"
    status = 403
    title = _("This endpoint is for another kind of partner.")


class SessionNotFound(NotFound):
    code = "session_not_found"
    title = _("You have no session with this id.")


class SessionAlreadyClosed(IngestionError):
    code = "session_already_closed"
    status = 409
    title = _("This session was already closed with another time or outcome.")


class IdempotencyConflict(IngestionError):
    """A client id reused with different content; ``errors`` names each conflicting record."""

    code = "idempotency_conflict"
    status = 409
    title = _("A client id was reused for different content; nothing was recorded.")

    def __init__(self, errors: list[dict]) -> None:
        super().__init__(
            _(
                "%(n)s record(s) reuse a client id with different content; nothing was "
                "recorded. Resend exactly what was sent before, or give new records new ids."
            )
            % {"n": len(errors)}
        )
        self.errors = errors
