"""Signed documents: letters and resident access reports anyone can check offline.

A signed document is the JSON object (DESIGN.md "Signed documents")::

    {"type": "auditsvc-letter/1" | "auditsvc-report/1", "document": {...},
     "key_id": "<8 hex>", "signature": "<base64 Ed25519>"}

The signature is Ed25519, by the service's entry-signing key, over
``b"auditsvc:" + type + b":" + SHA-256(RFC 8785 bytes of document)`` (the 32
raw bytes of the digest, as for entries); the type in the signed bytes keeps
a letter's signature from ever passing for a report's. Verifiers find the
key by ``key_id`` among keys they trust. Imports nothing from Django: the
offline verifier uses it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from .canonical import CanonicalError, b64decode_strict, b64encode, canonical_bytes
from .keys import SigningKey, VerifierKey

__all__ = [
    "DOCUMENT_TYPES",
    "LETTER",
    "REPORT",
    "DocumentError",
    "document_digest",
    "sign_document",
    "signed_message",
    "verify_document",
]

LETTER = "auditsvc-letter/1"
REPORT = "auditsvc-report/1"
DOCUMENT_TYPES = frozenset({LETTER, REPORT})
_KEYS = frozenset({"type", "document", "key_id", "signature"})


class DocumentError(ValueError):
    """A signed document is malformed, altered, or signed by no trusted key."""


def document_digest(document: Mapping[str, Any]) -> bytes:
    """SHA-256 of the RFC 8785 bytes of ``document`` (raises ``DocumentError`` outside JCS)."""
    try:
        return hashlib.sha256(canonical_bytes(document)).digest()
    except CanonicalError as exc:
        raise DocumentError(f"the document is outside the signable JSON subset: {exc}") from None


def signed_message(doc_type: str, document: Mapping[str, Any]) -> bytes:
    """The bytes the signature covers: ``b"auditsvc:" + type + b":" + digest``."""
    if doc_type not in DOCUMENT_TYPES:
        raise DocumentError(f"unknown document type {doc_type!r}")
    return b"auditsvc:" + doc_type.encode("ascii") + b":" + document_digest(document)


def sign_document(doc_type: str, document: dict[str, Any], key: SigningKey) -> dict[str, Any]:
    """Return the signed document object for ``document`` of ``doc_type``, signed by ``key``."""
    if type(document) is not dict:
        raise DocumentError("a document is a JSON object")
    signature = key.sign(signed_message(doc_type, document))
    return {
        "type": doc_type,
        "document": document,
        "key_id": key.key_id,
        "signature": b64encode(signature),
    }


def verify_document(
    signed: Any, trusted: Sequence[VerifierKey], *, expected_type: str | None = None
) -> dict[str, Any]:
    """Check a signed document against the ``trusted`` keys; return its ``document``.

    Raises ``DocumentError`` saying why: not the documented shape, an unknown
    type (or not ``expected_type``), a key id none of the trusted keys has,
    or a signature that does not verify (the document was altered, or signed
    by another key).
    """
    if not isinstance(signed, Mapping) or set(signed) != _KEYS:
        raise DocumentError(
            "a signed document is an object with exactly type, document, key_id and signature"
        )
    doc_type, document, key_id = signed["type"], signed["document"], signed["key_id"]
    if doc_type not in DOCUMENT_TYPES:
        raise DocumentError(f"unknown document type {doc_type!r}")
    if expected_type is not None and doc_type != expected_type:
        raise DocumentError(f"this is a {doc_type} document, not a {expected_type} one")
    if type(document) is not dict:
        raise DocumentError("the document is not a JSON object")
    if type(key_id) is not str:
        raise DocumentError("key_id is not a string")
    try:
        signature = b64decode_strict(signed["signature"])
    except ValueError as exc:
        raise DocumentError(f"the signature is not base64: {exc}") from None
    candidates = [key for key in trusted if key.key_id == key_id]
    if not candidates:
        raise DocumentError(f"signed by key {key_id}, which is not among the trusted keys")
    message = signed_message(doc_type, document)
    if not any(key.verify(message, signature) for key in candidates):
        raise DocumentError(
            f"the signature by key {key_id} does not verify: the document was altered "
            "or signed by another key"
        )
    return document
