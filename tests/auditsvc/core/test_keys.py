"""Ed25519 keys in the C2SP note key format, and entry signatures."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from auditsvc.core.keys import (
    ENTRY_CONTEXT,
    KeyFormatError,
    SigningKey,
    VerifierKey,
    key_id,
    sign_entry,
    verify_entry,
)
from auditsvc.core.merkle import leaf_hash

VECTOR = json.loads(
    (Path(__file__).resolve().parents[2] / "testdata" / "signed-note.json").read_text()
)
SEED_B64 = VECTOR["private_key"].rsplit("+", 1)[1]


def test_it_reads_the_known_answer_private_key_and_derives_its_verifier_key():
    key = SigningKey.from_private_string(VECTOR["private_key"])
    assert key.name == "PeterNeumann"
    assert key.key_id == "c74f20a3"
    assert key.verifier_string() == VECTOR["verifier_key"]
    assert key.private_string() == VECTOR["private_key"]


def test_it_reads_the_known_answer_verifier_key():
    verifier = VerifierKey.from_string(VECTOR["verifier_key"])
    assert (verifier.name, verifier.key_id) == ("PeterNeumann", "c74f20a3")
    assert verifier.public_key == base64.b64decode(VECTOR["verifier_key"].rsplit("+", 1)[1])[1:]
    assert verifier.verifier_string() == VECTOR["verifier_key"]


def test_key_id_is_the_c2sp_key_hash():
    verifier = VerifierKey.from_string(VECTOR["verifier_key"])
    digest = hashlib.sha256(b"PeterNeumann\n\x01" + verifier.public_key).digest()
    assert key_id("PeterNeumann", verifier.public_key) == digest[:4].hex() == "c74f20a3"


def test_a_generated_key_round_trips_through_its_strings():
    key = SigningKey.generate("audit.ybj.example")
    again = SigningKey.from_private_string(key.private_string())
    assert again == key
    assert again.sign(b"data") == key.sign(b"data")
    verifier = VerifierKey.from_string(key.verifier_string())
    assert verifier == key.verifier()
    assert verifier.verify(b"data", key.sign(b"data"))
    assert len(key.key_id) == 8
    assert key.key_id == key_id("audit.ybj.example", key.public_key)


def test_its_repr_never_shows_the_private_key():
    key = SigningKey.from_private_string(VECTOR["private_key"])
    assert SEED_B64 not in repr(key)
    assert "private" not in repr(key)


def test_a_signature_does_not_verify_for_other_data_or_another_key():
    key = SigningKey.from_private_string(VECTOR["private_key"])
    other = SigningKey.generate("PeterNeumann")
    signature = key.sign(b"data")
    assert key.verifier().verify(b"data", signature)
    assert not key.verifier().verify(b"datA", signature)
    assert not other.verifier().verify(b"data", signature)
    assert not key.verifier().verify(b"data", signature[:-1])
    assert not key.verifier().verify(b"data", bytes(64))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "PeterNeumann",
        "PeterNeumann+c74f20a3",
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumanm+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+Alpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy1w==",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
    ids=[
        "empty",
        "name-only",
        "no-key",
        "uppercase-id",
        "wrong-id",
        "wrong-name",
        "wrong-algorithm",
        "bad-base64",
        "short-key",
        "space-in-name",
        "empty-name",
    ],
)
def test_it_refuses_malformed_verifier_keys(text):
    with pytest.raises(KeyFormatError):
        VerifierKey.from_string(text)


@pytest.mark.parametrize(
    "text",
    [
        VECTOR["private_key"].replace("PRIVATE+KEY", "PUBLIC+KEY"),
        VECTOR["private_key"].replace("c74f20a3", "00000000"),
        VECTOR["private_key"].replace("+AYEK", "+AoEK"),
        VECTOR["private_key"][:-4],
        VECTOR["private_key"].replace("PeterNeumann", "Peter+Neumann"),
        VECTOR["verifier_key"],
    ],
    ids=["not-private", "wrong-id", "wrong-algorithm", "truncated", "plus-in-name", "public-key"],
)
def test_it_refuses_malformed_private_keys_without_revealing_them(text):
    with pytest.raises(KeyFormatError) as caught:
        SigningKey.from_private_string(text)
    assert SEED_B64 not in str(caught.value)
    assert SEED_B64[:12] not in str(caught.value)


@pytest.mark.parametrize("name", ["", "a b", "a+b", "tab\tname", "new\nline", "nbsp\u00a0name"])
def test_it_refuses_invalid_key_names(name):
    with pytest.raises(KeyFormatError):
        SigningKey.generate(name)


def test_entry_signatures_cover_the_context_and_the_leaf_hash():
    key = SigningKey.from_private_string(VECTOR["private_key"])
    verifier = key.verifier()
    leaf = leaf_hash(b'{"v":1}')
    signature = sign_entry(key, leaf)
    assert signature == key.sign(ENTRY_CONTEXT + leaf)
    assert ENTRY_CONTEXT == b"auditsvc:entry:v1:"
    assert verify_entry(verifier, leaf, signature)
    assert not verify_entry(verifier, leaf_hash(b'{"v":2}'), signature)
    # A bare signature over the leaf hash (no context) is not an entry signature.
    assert not verify_entry(verifier, leaf, key.sign(leaf))


def test_entry_signatures_are_deterministic():
    key = SigningKey.from_private_string(VECTOR["private_key"])
    leaf = leaf_hash(b"entry")
    assert sign_entry(key, leaf) == sign_entry(key, leaf)


def test_it_refuses_to_sign_something_that_is_not_a_leaf_hash():
    key = SigningKey.generate("audit.ybj.example")
    with pytest.raises(ValueError, match="32 bytes"):
        sign_entry(key, b"not a hash")
