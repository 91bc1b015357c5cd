"""C2SP signed notes (c2sp.org/signed-note) and tlog checkpoints (c2sp.org/tlog-checkpoint).

A signed note is a text ending in a newline, a blank line, then one or more
signature lines ``— <key name> <base64(4-byte key id || 64-byte Ed25519 signature)>``
(em dash U+2014, space). The signature covers the text's UTF-8 bytes, final
newline included. A checkpoint is a note whose text is the log's tree head:

    <origin>/<log id>
    <tree size>
    <base64 of the RFC 6962 root hash>

This module imports nothing from Django: the offline verifier uses it too.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .canonical import b64decode_strict
from .keys import KeyFormatError, SigningKey, VerifierKey, check_key_name

__all__ = [
    "Checkpoint",
    "NoteError",
    "NoteSignature",
    "OpenedNote",
    "checkpoint_text",
    "open_note",
    "parse_checkpoint",
    "read_note",
    "sign_note",
]

_SIG_PREFIX = "\u2014 "  # em dash, space
# C2SP asks verifiers to accept at least 16; more than this is a note built to waste our time.
_MAX_SIGNATURES = 100
_SIZE_RE = re.compile(r"0|[1-9][0-9]*", re.ASCII)
_CONTROL_RE = re.compile(r"[\x00-\x09\x0b-\x1f]")


class NoteError(ValueError):
    """A note or checkpoint is malformed, badly signed, or signed by no trusted key."""


@dataclass(frozen=True)
class NoteSignature:
    """One signature line of a note: who (key name and key id) signed it."""

    name: str
    key_id: str


@dataclass(frozen=True)
class OpenedNote:
    """A note whose signatures have been checked.

    ``verified`` are the trusted keys whose signatures verified (at least one);
    ``unverified`` are signatures by keys the caller did not trust, ignored as
    C2SP requires, but worth reporting.
    """

    text: str
    verified: tuple[NoteSignature, ...]
    unverified: tuple[NoteSignature, ...]


def _check_note_chars(value: str, what: str) -> None:
    # C2SP: valid UTF-8 with no ASCII control characters except newline.
    if _CONTROL_RE.search(value):
        raise NoteError(f"{what} contains a control character other than newline")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise NoteError(f"{what} is not valid Unicode text") from None


def sign_note(text: str, keys: Sequence[SigningKey]) -> str:
    """Return ``text`` signed by each of ``keys`` as a C2SP signed note.

    ``text`` must be non-empty and end with a newline. Ed25519 is
    deterministic, so the same text and keys always give the same note.
    """
    if type(text) is not str or not text.endswith("\n"):
        raise NoteError("a note text must be a string ending with a newline")
    _check_note_chars(text, "the note text")
    if not keys:
        raise NoteError("a note needs at least one signing key")
    message = text.encode("utf-8")
    lines = []
    for key in keys:
        signature = bytes.fromhex(key.key_id) + key.sign(message)
        lines.append(f"{_SIG_PREFIX}{key.name} {base64.b64encode(signature).decode('ascii')}\n")
    return text + "\n" + "".join(lines)


def _trusted_keys(verifiers: Sequence[VerifierKey]) -> dict[tuple[str, str], VerifierKey]:
    trusted: dict[tuple[str, str], VerifierKey] = {}
    for verifier in verifiers:
        slot = (verifier.name, verifier.key_id)
        other = trusted.setdefault(slot, verifier)
        if other.public_key != verifier.public_key:
            # Which of the two signed is undecidable from the note itself.
            raise NoteError(
                f"two different trusted keys share name {verifier.name!r} and key id "
                f"{verifier.key_id}"
            )
    return trusted


def read_note(note: str, verifiers: Sequence[VerifierKey]) -> OpenedNote:
    """Parse a signed note and verify its signatures by the trusted ``verifiers``.

    Following C2SP: signatures by unknown keys (name and key id not both
    matching a trusted key) are ignored but listed in ``unverified``; a
    signature by a trusted key that does not verify rejects the whole note;
    a note that no trusted key signed is rejected. Raises ``NoteError``.
    """
    if type(note) is not str:
        raise NoteError("a note must be a string")
    _check_note_chars(note, "the note")
    trusted = _trusted_keys(verifiers)

    # The text ends at the last blank line: the text may itself hold blank lines.
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("malformed note: no blank line before the signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise NoteError(
            "malformed note: the signature block must be non-empty and end in a newline"
        )
    lines = block[:-1].split("\n")
    if len(lines) > _MAX_SIGNATURES:
        raise NoteError(f"malformed note: more than {_MAX_SIGNATURES} signatures")

    message = text.encode("utf-8")
    verified: list[NoteSignature] = []
    unverified: list[NoteSignature] = []
    for number, line in enumerate(lines, start=1):
        if not line.startswith(_SIG_PREFIX):
            raise NoteError(f"malformed note: signature line {number} does not start with '— '")
        name, _, encoded = line[len(_SIG_PREFIX) :].partition(" ")
        try:
            check_key_name(name)
            signature = b64decode_strict(encoded)
        except (KeyFormatError, ValueError) as exc:
            raise NoteError(f"malformed note: signature line {number}: {exc}") from None
        if len(signature) < 5:
            raise NoteError(f"malformed note: signature line {number} is too short")
        signer = NoteSignature(name, signature[:4].hex())
        verifier = trusted.get((signer.name, signer.key_id))
        if verifier is None:
            if signer not in unverified:
                unverified.append(signer)
            continue
        if signer in verified:
            continue
        if not verifier.verify(message, signature[4:]):
            raise NoteError(
                f"the signature by trusted key {signer.name} ({signer.key_id}) does not verify"
            )
        verified.append(signer)

    if not verified:
        others = ", ".join(f"{s.name} ({s.key_id})" for s in unverified) or "none"
        raise NoteError(f"no trusted key signed this note; signed by unknown keys: {others}")
    return OpenedNote(text, tuple(verified), tuple(unverified))


def open_note(note: str, verifiers: Sequence[VerifierKey]) -> tuple[str, list[str]]:
    """Verify a signed note; return its text and the names of the trusted keys that signed it.

    One name per verified signature, in note order (a name appears twice
    when two keys of the same name, e.g. during a rotation, both signed).
    See ``read_note`` for the rules and for the ignored unknown signatures.
    """
    opened = read_note(note, verifiers)
    return opened.text, [signer.name for signer in opened.verified]


@dataclass(frozen=True)
class Checkpoint:
    """A parsed C2SP tlog checkpoint: origin line, tree size, RFC 6962 root, extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()


def checkpoint_text(origin_and_log: str, size: int, root: bytes) -> str:
    """Return the checkpoint text ``"<origin>/<log>\\n<size>\\n<base64 root>\\n"``.

    ``origin_and_log`` is the whole first line (e.g. ``audit.ybj.example/P0001``).
    Sign it with ``sign_note``.
    """
    if type(origin_and_log) is not str or not origin_and_log or "\n" in origin_and_log:
        raise NoteError("a checkpoint origin must be a non-empty single line")
    _check_note_chars(origin_and_log, "the checkpoint origin")
    if type(size) is not int or size < 0:
        raise NoteError(f"a tree size must be a non-negative integer, not {size!r}")
    if len(root) != 32:
        raise NoteError(f"a root hash is 32 bytes, not {len(root)}")
    return f"{origin_and_log}\n{size}\n{base64.b64encode(root).decode('ascii')}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint text (the note text, signatures removed, e.g. from ``open_note``).

    Checks the C2SP tlog-checkpoint rules: a non-empty origin line, a decimal
    size without leading zeros, a base64 32-byte root, and non-empty extension
    lines if any. Raises ``NoteError``.
    """
    if type(text) is not str or not text.endswith("\n"):
        raise NoteError("a checkpoint text must end with a newline")
    _check_note_chars(text, "the checkpoint")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("a checkpoint has at least three lines: origin, size and root hash")
    origin, size_line, root_line, *extensions = lines
    if not origin:
        raise NoteError("the checkpoint origin line is empty")
    if not _SIZE_RE.fullmatch(size_line) or len(size_line) > 20:
        raise NoteError(f"the checkpoint size {size_line!r} is not a decimal without leading zeros")
    try:
        root = b64decode_strict(root_line)
    except ValueError as exc:
        raise NoteError(f"the checkpoint root hash: {exc}") from None
    if len(root) != 32:
        raise NoteError(f"the checkpoint root hash is {len(root)} bytes, not 32")
    if any(not line for line in extensions):
        raise NoteError("checkpoint extension lines must be non-empty")
    return Checkpoint(origin, int(size_line), root, tuple(extensions))
