"""C2SP signed notes and tlog checkpoints."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from auditsvc.core.keys import SigningKey, VerifierKey
from auditsvc.core.merkle import EMPTY_ROOT, leaf_hash
from auditsvc.core.notes import (
    Checkpoint,
    NoteError,
    NoteSignature,
    checkpoint_text,
    open_note,
    parse_checkpoint,
    read_note,
    sign_note,
)

VECTOR = json.loads(
    (Path(__file__).resolve().parents[2] / "testdata" / "signed-note.json").read_text()
)
PETER = SigningKey.from_private_string(VECTOR["private_key"])
PETER_VERIFIER = VerifierKey.from_string(VECTOR["verifier_key"])
ROOT = leaf_hash(b"root")


def test_it_reproduces_the_known_answer_note_byte_for_byte():
    assert sign_note(VECTOR["text"], [PETER]) == VECTOR["note"]


def test_it_opens_the_known_answer_note():
    assert open_note(VECTOR["note"], [PETER_VERIFIER]) == (VECTOR["text"], ["PeterNeumann"])


def test_signature_lines_start_with_an_em_dash():
    note = sign_note("hello\n", [PETER])
    assert note.startswith("hello\n\n\u2014 PeterNeumann ")
    assert note.endswith("\n")


def test_it_refuses_a_tampered_text():
    tampered = VECTOR["note"].replace("cryptography", "cryptograph")
    with pytest.raises(NoteError, match="does not verify"):
        open_note(tampered, [PETER_VERIFIER])


def test_it_refuses_a_tampered_signature():
    text, _, line = VECTOR["note"].rpartition("\n\n")
    prefix, encoded = line.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(encoded))
    raw[10] ^= 1
    forged = f"{text}\n\n{prefix} {base64.b64encode(bytes(raw)).decode()}\n"
    with pytest.raises(NoteError, match="does not verify"):
        open_note(forged, [PETER_VERIFIER])


def test_it_refuses_a_note_no_trusted_key_signed():
    stranger = SigningKey.generate("stranger.example")
    with pytest.raises(NoteError, match="no trusted key") as caught:
        open_note(VECTOR["note"], [stranger.verifier()])
    assert "PeterNeumann (c74f20a3)" in str(caught.value)
    with pytest.raises(NoteError, match="no trusted key"):
        open_note(VECTOR["note"], [])


def test_a_key_with_the_same_name_but_another_id_is_unknown_not_wrong():
    impostor = SigningKey.generate("PeterNeumann")
    note = sign_note(VECTOR["text"], [impostor])
    with pytest.raises(NoteError, match="no trusted key"):
        open_note(note, [PETER_VERIFIER])


def test_it_ignores_but_reports_signatures_by_unknown_keys():
    witness = SigningKey.generate("witness.example")
    note = sign_note(VECTOR["text"], [witness, PETER])
    opened = read_note(note, [PETER_VERIFIER])
    assert opened.text == VECTOR["text"]
    assert opened.verified == (NoteSignature("PeterNeumann", "c74f20a3"),)
    assert opened.unverified == (NoteSignature("witness.example", witness.key_id),)


def test_both_keys_of_a_rotation_overlap_are_reported():
    new_key = SigningKey.generate("PeterNeumann")
    note = sign_note("size\n", [PETER, new_key])
    text, names = open_note(note, [PETER_VERIFIER, new_key.verifier()])
    assert (text, names) == ("size\n", ["PeterNeumann", "PeterNeumann"])
    assert open_note(note, [new_key.verifier()]) == ("size\n", ["PeterNeumann"])


def test_a_text_may_hold_blank_lines():
    text = "first\n\nthird\n"
    assert open_note(sign_note(text, [PETER]), [PETER_VERIFIER])[0] == text


@pytest.mark.parametrize(
    "note",
    [
        "",
        "no signatures\n",
        "text\n\n",
        "text\n\n\u2014 PeterNeumann AAAA",
        "text\n\n- PeterNeumann AAAAAAAA\n",
        "text\n\n\u2014 PeterNeumann\n",
        "text\n\n\u2014 PeterNeumann not-base64!\n",
        "text\n\n\u2014 PeterNeumann AAAA\n",
        "text\n\n\u2014  AAAAAAAA\n",
        "te\txt\n\n\u2014 PeterNeumann AAAAAAAA\n",
    ],
    ids=[
        "empty",
        "no-blank-line",
        "no-signature",
        "no-final-newline",
        "hyphen-not-em-dash",
        "no-signature-field",
        "bad-base64",
        "signature-too-short",
        "empty-name",
        "control-character",
    ],
)
def test_it_refuses_malformed_notes(note):
    with pytest.raises(NoteError):
        open_note(note, [PETER_VERIFIER])


@pytest.mark.parametrize("text", ["", "no final newline", "tab\there\n"])
def test_it_refuses_to_sign_a_malformed_text(text):
    with pytest.raises(NoteError):
        sign_note(text, [PETER])


def test_it_refuses_two_different_trusted_keys_with_the_same_name_and_id():
    other = SigningKey.generate("PeterNeumann").verifier()
    clash = VerifierKey("PeterNeumann", other.public_key, "c74f20a3", other._public)
    with pytest.raises(NoteError, match="share name"):
        open_note(VECTOR["note"], [PETER_VERIFIER, clash])


def test_a_checkpoint_round_trips_through_a_signed_note():
    text = checkpoint_text("audit.ybj.example/P0001", 1234, ROOT)
    assert text == f"audit.ybj.example/P0001\n1234\n{base64.b64encode(ROOT).decode()}\n"
    opened_text, names = open_note(sign_note(text, [PETER]), [PETER_VERIFIER])
    assert names == ["PeterNeumann"]
    assert parse_checkpoint(opened_text) == Checkpoint("audit.ybj.example/P0001", 1234, ROOT)


def test_the_empty_log_has_a_checkpoint_too():
    checkpoint = parse_checkpoint(checkpoint_text("audit.ybj.example/bureau", 0, EMPTY_ROOT))
    assert (checkpoint.size, checkpoint.root) == (0, EMPTY_ROOT)


def test_a_checkpoint_may_carry_extension_lines():
    text = checkpoint_text("o/P0001", 5, ROOT) + "ext one\next two\n"
    assert parse_checkpoint(text).extensions == ("ext one", "ext two")


@pytest.mark.parametrize(
    "text",
    [
        "o/P0001\n5\n",
        f"\n5\n{base64.b64encode(ROOT).decode()}\n",
        f"o/P0001\n05\n{base64.b64encode(ROOT).decode()}\n",
        f"o/P0001\n-5\n{base64.b64encode(ROOT).decode()}\n",
        f"o/P0001\n5 \n{base64.b64encode(ROOT).decode()}\n",
        f"o/P0001\n5\n{base64.b64encode(ROOT[:31]).decode()}\n",
        "o/P0001\n5\nnot base64\n",
        f"o/P0001\n5\n{base64.b64encode(ROOT).decode()}",
        f"o/P0001\n5\n{base64.b64encode(ROOT).decode()}\n\next\n",
    ],
    ids=[
        "two-lines",
        "empty-origin",
        "leading-zero",
        "negative",
        "trailing-space",
        "short-root",
        "bad-root",
        "no-final-newline",
        "empty-extension-line",
    ],
)
def test_it_refuses_malformed_checkpoints(text):
    with pytest.raises(NoteError):
        parse_checkpoint(text)


def test_it_refuses_to_write_a_malformed_checkpoint():
    with pytest.raises(NoteError):
        checkpoint_text("", 1, ROOT)
    with pytest.raises(NoteError):
        checkpoint_text("two\nlines", 1, ROOT)
    with pytest.raises(NoteError):
        checkpoint_text("o/P0001", -1, ROOT)
    with pytest.raises(NoteError):
        checkpoint_text("o/P0001", 1, ROOT[:16])
