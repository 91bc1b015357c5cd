"""Signed documents (letters, reports): the signed bytes, and every way a check refuses."""

from __future__ import annotations

import copy
import hashlib

import pytest

from auditsvc.core.canonical import canonical_bytes
from auditsvc.core.documents import (
    LETTER,
    REPORT,
    DocumentError,
    sign_document,
    signed_message,
    verify_document,
)
from auditsvc.core.keys import SigningKey

DOCUMENT = {"number": "YBJ-7f3a", "partner": {"code": "P0001", "name": "Helper Co."}, "n": 3}


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate("audit.ybj.example")


def test_the_signature_covers_the_type_and_the_digest_of_the_canonical_bytes(key):
    signed = sign_document(LETTER, dict(DOCUMENT), key)

    digest = hashlib.sha256(canonical_bytes(DOCUMENT)).digest()
    assert signed_message(LETTER, DOCUMENT) == b"auditsvc:auditsvc-letter/1:" + digest
    assert set(signed) == {"type", "document", "key_id", "signature"}
    assert signed["key_id"] == key.key_id
    assert verify_document(signed, [key.verifier()], expected_type=LETTER) == DOCUMENT


@pytest.mark.parametrize(
    ("tamper", "why"),
    [
        (lambda s: s["document"].__setitem__("n", 4), "does not verify"),
        (lambda s: s.__setitem__("type", REPORT), "does not verify"),
        (lambda s: s.__setitem__("key_id", "00000000"), "not among the trusted keys"),
        (lambda s: s.__setitem__("signature", "not base64!"), "not base64"),
        (lambda s: s.__setitem__("extra", 1), "exactly type, document"),
        (lambda s: s.__setitem__("type", "auditsvc-other/1"), "unknown document type"),
    ],
)
def test_it_refuses_a_document_changed_in_any_way(key, tamper, why):
    signed = sign_document(LETTER, copy.deepcopy(DOCUMENT), key)
    tamper(signed)

    with pytest.raises(DocumentError, match=why):
        verify_document(signed, [key.verifier()])


def test_it_refuses_a_signature_by_a_key_nobody_trusts(key):
    signed = sign_document(REPORT, dict(DOCUMENT), SigningKey.generate("audit.ybj.example"))

    with pytest.raises(DocumentError, match="not among the trusted keys"):
        verify_document(signed, [key.verifier()])


def test_a_report_is_not_accepted_where_a_letter_is_expected(key):
    signed = sign_document(REPORT, dict(DOCUMENT), key)

    with pytest.raises(DocumentError, match="not a auditsvc-letter/1 one"):
        verify_document(signed, [key.verifier()], expected_type=LETTER)
