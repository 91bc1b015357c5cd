"""Canonical bytes of ledger entries (RFC 8785, JSON Canonicalization Scheme).

Entries hold only a subset of JSON: objects with ASCII keys, strings, integers
within +/-(2**53 - 1), booleans, null and arrays; never floats. In that subset
Python's ``json.dumps`` with sorted keys, no whitespace and ``ensure_ascii=False``
produces exactly the RFC 8785 bytes:

- RFC 8785 sorts keys by their UTF-16 code units; for ASCII keys that is the
  same order as Python's code point order.
- It writes strings with the same minimal escapes as ``json.dumps`` (``\\"``,
  ``\\\\``, ``\\b \\f \\n \\r \\t`` and lowercase ``\\u00xx`` for the other
  control characters) and everything else, U+2028 included, as raw UTF-8.
- It writes integers that a double represents exactly as plain decimals.

The subset is checked before encoding, so anything outside it (where the two
encodings would differ, or where another implementation could not reproduce
the bytes) is refused instead of being signed.

This module imports nothing from Django: the offline verifier uses it too.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "MAX_SAFE_INTEGER",
    "CanonicalError",
    "b64decode_strict",
    "canonical_bytes",
    "entry_bytes",
    "format_time",
    "loads",
    "parse_time",
]

#: The largest integer that every JSON implementation (IEEE 754 doubles) reads exactly.
MAX_SAFE_INTEGER = 2**53 - 1

ENTRY_VERSION = 1


class CanonicalError(ValueError):
    """The value is outside the JSON subset that ledger entries may hold."""


class _Refused(Exception):
    """Internal: a value outside the subset; ``path`` is filled in while unwinding."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path: list[str] = []


def _check(value: Any) -> None:
    # This runs for every entry appended, so the common case stays cheap: exact
    # `type(x) is` tests before any isinstance, and no path strings built unless
    # a value is refused (since 3.11 a try block costs nothing until it raises).
    kind = type(value)
    if kind is str or value is None or kind is bool:
        return
    if kind is int:
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return
        raise _Refused(f"integer {value} is outside +/-(2**53-1)")
    if kind is dict:
        for key, item in value.items():
            # A non-str key would be coerced by json.dumps (True -> "true", 1 -> "1")
            # and could collide with a real key; a non-ASCII key could sort
            # differently under RFC 8785's UTF-16 order.
            if type(key) is not str:
                raise _Refused(f"object key {key!r} is not a string")
            if not key.isascii():
                raise _Refused(f"object key {key!r} is not ASCII")
            try:
                _check(item)
            except _Refused as refused:
                refused.path.append(f".{key}")
                raise
        return
    if kind is list or kind is tuple:
        for position, item in enumerate(value):
            try:
                _check(item)
            except _Refused as refused:
                refused.path.append(f"[{position}]")
                raise
        return
    if isinstance(value, float):
        raise _Refused(f"floats are not allowed ({value!r})")
    # str and int subclasses (StrEnum, IntEnum) encode as their plain values.
    if isinstance(value, str):
        return
    if isinstance(value, int):
        _check(int(value))
        return
    raise _Refused(f"{kind.__name__} is not a JSON value of the ledger subset")


# json.dumps with these arguments, without building a new encoder on every call.
_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def canonical_bytes(obj: Any, *, checked: bool = False) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of ``obj``.

    ``obj`` must stay within the ledger subset of JSON (see the module
    docstring); otherwise ``CanonicalError`` names the offending path, e.g.
    ``$.body.amount: floats are not allowed (1.5)``. Lists and tuples are both
    JSON arrays. ``checked=True`` skips that walk for a value ``loads`` just
    returned, which is inside the subset by construction (the offline
    verifier re-canonicalises a million entries this way).
    """
    if not checked:
        try:
            _check(obj)
        except _Refused as refused:
            path = "$" + "".join(reversed(refused.path))
            raise CanonicalError(f"{path}: {refused.reason}") from None
    text = _encode(obj)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        # A lone surrogate (e.g. "\ud800") is not Unicode text; RFC 8785 forbids it.
        raise CanonicalError(f"$: string holds an unpaired surrogate ({exc.reason})") from None


def _refuse_float(text: str) -> Any:
    raise CanonicalError(f"floats are not allowed ({text})")


def _refuse_constant(text: str) -> Any:
    raise CanonicalError(f"{text} is not JSON")


def _safe_int(text: str) -> int:
    value = int(text)
    if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        return value
    raise CanonicalError(f"integer {text} is outside +/-(2**53-1)")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise CanonicalError(f"the key {twice!r} appears twice in one object")
    return result


def _unique_ascii_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    for key, _ in pairs:
        if not key.isascii():
            raise CanonicalError(f"object key {key!r} is not ASCII")
    return _unique_keys(pairs)


def _decoder(hook: Any) -> Any:
    return json.JSONDecoder(
        object_pairs_hook=hook,
        parse_float=_refuse_float,
        parse_int=_safe_int,
        parse_constant=_refuse_constant,
    ).decode


_decode_ascii = _decoder(_unique_keys)
_decode_unicode = _decoder(_unique_ascii_keys)


def loads(data: bytes | str) -> Any:
    """Parse JSON text into a value of the ledger subset, or raise ``CanonicalError``.

    Refuses what ``canonical_bytes`` refuses (floats, NaN and Infinity,
    integers beyond +/-(2**53-1), non-ASCII keys) and also a key repeated in
    one object, which parsers resolve differently: two readers of the same
    text must see the same value. The result may go to
    ``canonical_bytes(value, checked=True)``. (An unpaired surrogate escape
    parses, and ``canonical_bytes`` refuses it when encoding.)
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
        # Keys are ASCII whenever the whole text is and holds no \u escape: the common case.
        plain = text.isascii() and "\\u" not in text
        return (_decode_ascii if plain else _decode_unicode)(text)
    except CanonicalError:
        raise
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise CanonicalError(f"not JSON ({exc})") from None


def entry_bytes(log: str, seq: int, recorded_at: str, kind: str, body: dict[str, Any]) -> bytes:
    """Return the canonical bytes of a ledger entry.

    The entry is ``{"v": 1, "log", "seq", "recorded_at", "kind", "body"}``;
    its leaf hash is SHA-256(0x00 || these bytes). ``recorded_at`` is the
    string form made by ``format_time``, kept as a string so that the bytes
    never depend on how a datetime would be re-rendered.
    """
    if type(log) is not str or not log:
        raise CanonicalError("entry log must be a non-empty string")
    if type(seq) is not int or seq < 0:
        raise CanonicalError(f"entry seq must be a non-negative integer, not {seq!r}")
    if type(recorded_at) is not str:
        raise CanonicalError("entry recorded_at must be a string made by format_time")
    if type(kind) is not str or not kind:
        raise CanonicalError("entry kind must be a non-empty string")
    if type(body) is not dict:
        raise CanonicalError(f"entry body must be an object, not {type(body).__name__}")
    return canonical_bytes(
        {
            "v": ENTRY_VERSION,
            "log": log,
            "seq": seq,
            "recorded_at": recorded_at,
            "kind": kind,
            "body": body,
        }
    )


# re.ASCII: \d would otherwise also match non-ASCII digits such as "٣".
_TIME_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})Z", re.ASCII)


def format_time(dt: datetime) -> str:
    """Return ``dt`` as UTC RFC 3339 with exactly six fractional digits and ``Z``.

    Example: ``2026-11-23T08:00:00.000000Z``. Naive datetimes are refused with
    ``ValueError``: their instant is unknown, and a ledger must not guess.
    """
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("format_time needs an aware datetime; naive ones have no known instant")
    u = dt.astimezone(UTC)
    # Formatted by hand: strftime("%Y") does not zero-pad years before 1000 on every platform.
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T"
        f"{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}Z"
    )


def parse_time(s: str) -> datetime:
    """Parse a time written by ``format_time`` into an aware UTC datetime.

    Only that exact form is accepted (``YYYY-MM-DDTHH:MM:SS.ffffffZ``), so
    ``format_time(parse_time(s)) == s`` whenever this returns; anything else
    raises ``ValueError``.
    """
    match = _TIME_RE.fullmatch(s) if type(s) is str else None
    if match is None:
        raise ValueError(f"not a ledger time (YYYY-MM-DDTHH:MM:SS.ffffffZ): {s!r}")
    year, month, day, hour, minute, second, micro = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)
    except ValueError as exc:
        raise ValueError(f"not a valid ledger time: {s!r} ({exc})") from None


def b64encode(data: bytes) -> str:
    """Standard base64 text of ``data`` (hashes and signatures in receipts, proofs, keys)."""
    return base64.b64encode(bytes(data)).decode("ascii")


def b64decode_strict(text: str) -> bytes:
    """Decode standard, padded base64 (RFC 4648 section 4), accepting only its canonical form.

    ``base64.b64decode`` alone accepts more than one spelling of the same bytes
    (non-zero padding bits); evidence should have exactly one, so the result
    is re-encoded and compared. Raises ``ValueError``.
    """
    if type(text) is not str or not text.isascii():
        raise ValueError("base64 text must be an ASCII string")
    try:
        data = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"invalid base64: {exc}") from None
    if base64.b64encode(data).decode("ascii") != text:
        raise ValueError("base64 is not in canonical form")
    return data
