"""Signing documents (letters, access reports) with the service's entry-signing key.

The format and the check are the core's (``auditsvc.core.documents``); this
picks the key, as ``append_entries`` does, so a document is signed by the key
that signs entries now and is checked against ``GET /api/v1/keys``.
"""

from __future__ import annotations

from typing import Any

from auditsvc.core.documents import sign_document

from .keys import entry_signing_key


def document_sign(doc_type: str, document: dict[str, Any]) -> dict[str, Any]:
    """The signed document object of ``document`` (raises ``NoSigningKey`` if nothing can sign)."""
    return sign_document(doc_type, document, entry_signing_key())
