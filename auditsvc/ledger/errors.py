"""Errors of the signed ledger, each with a stable code and HTTP status."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from auditsvc.base.errors import ServiceError


class LedgerError(ServiceError):
    code = "ledger_error"
    status = 500
    title = _("The ledger could not record this.")


class NoSigningKey(LedgerError):
    code = "no_signing_key"
    status = 503
    title = _("No signing key is configured; nothing can be recorded.")


class ProofUnavailable(ServiceError):
    code = "proof_unavailable"
    status = 400
    title = _("No proof exists for these sizes.")


class KeyFileExposed(NoSigningKey):
    code = "key_file_exposed"
    title = _("A private signing key is readable by group or others; nothing can be signed.")
