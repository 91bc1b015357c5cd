"""Errors of the audit ledger and ingestion, each with a stable code and HTTP status.

The API's exception handler (auditsvc.api.problems) turns every ServiceError
into an RFC 9457 problem-details response; clients depend on the codes.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every domain error of the service (both apps)."""

    code = "service_error"
    status = 400
    title = "The request cannot be carried out."

    def __init__(self, detail: str | None = None, *, field: str | None = None) -> None:
        self.detail = detail or self.title
        self.field = field
        super().__init__(self.detail)


class NotFound(ServiceError):
    code = "not_found"
    status = 404
    title = "Not found."


class LedgerError(ServiceError):
    code = "ledger_error"
    status = 500
    title = "The ledger could not record this."


class NoSigningKey(LedgerError):
    code = "no_signing_key"
    status = 503
    title = "No signing key is configured; nothing can be recorded."


class ProofUnavailable(ServiceError):
    code = "proof_unavailable"
    status = 400
    title = "No proof exists for these sizes."
