"""One line of ``entries.jsonl`` or ``fenceposts.jsonl``: parse, re-canonicalise, hash, sign-check.

A line is ``{"entry": {...}, "leaf_hash": "<hex>", "signature": "<base64>", "key_id": "<8 hex>"}``
(DESIGN.md "Export bundles"). The verifier never believes ``leaf_hash``: it
re-canonicalises the entry (RFC 8785, ``auditsvc.core.canonical``), hashes it
as an RFC 6962 leaf and compares. This is the hot path of a million-entry
bundle, so it is written for speed: exact type tests, one dict lookup per key.
Lines are parsed by ``canonical.loads``, which refuses anything outside the
ledger's JSON subset and duplicate keys, so that no two readers of the same
line can see two different entries.

A line as the service writes it (RFC 8785, so ``{"entry":<entry>,"key_id":...}``
with the entry's canonical bytes in place) first takes a shorter road: one
regular expression reads it, and the entry's bytes are hashed as they stand,
its body unparsed. That is sound because the hash must then match a leaf that
is signed (entry signature) or under the signed tree head (``--fast``): only
the service's own canonical bytes get there, and in those the keys after the
body are the entry's own. A line in any other form, or one that fails any
check on that road, goes down the full road, which decides and says why.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from auditsvc.core.canonical import CanonicalError, b64decode_strict, canonical_bytes, loads
from auditsvc.core.keys import VerifierKey, verify_entry

__all__ = ["CheckedLeaf", "LineRefused", "LineRules", "check_line", "loads_strict", "parse_record"]

_RECORD_KEYS = frozenset({"entry", "leaf_hash", "signature", "key_id"})
_ENTRY_KEYS = frozenset({"v", "log", "seq", "recorded_at", "kind", "body"})
# The form format_time writes; fixed width, so these strings sort in time order.
_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z", re.ASCII)
_HEX64_RE = re.compile(r"[0-9a-f]{64}", re.ASCII)
_sha256 = hashlib.sha256


class LineRefused(Exception):
    """Internal: a line fails a check; ``check`` and ``message`` say which and why."""

    def __init__(self, check: str, message: str) -> None:
        super().__init__(message)
        self.check = check
        self.message = message


@dataclass(frozen=True)
class LineRules:
    """What every line of one bundle must satisfy; picklable, so worker processes get a copy.

    ``trusted`` are verifier key strings the auditor pinned; ``bundle_only``
    the key ids that only the bundle's keys.json names (to say so when an
    entry is signed by one of them).
    """

    log: str
    check_signatures: bool
    trusted: tuple[str, ...]
    bundle_only: tuple[str, ...] = ()
    _keys: dict[str, list[VerifierKey]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def keys_for(self, key_id: str) -> list[VerifierKey]:
        """The trusted keys with ``key_id`` (parsed once per process)."""
        if not self._keys and self.trusted:
            for text in self.trusted:
                key = VerifierKey.from_string(text)
                self._keys.setdefault(key.key_id, []).append(key)
        return self._keys.get(key_id, [])

    def __getstate__(self) -> dict[str, Any]:
        # Parsed keys hold OpenSSL objects, which do not pickle; workers parse their own.
        state = dict(self.__dict__)
        state["_keys"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


class CheckedLeaf(NamedTuple):
    """A line that passed: its entry's seq and recorded_at, and the leaf hash computed here."""

    # A named tuple, not a frozen dataclass: one is made per entry, and it costs a third.
    seq: int
    recorded_at: str
    leaf_hash: bytes


def loads_strict(data: bytes) -> Any:
    """Parse JSON inside the ledger subset (``canonical.loads``); ``LineRefused`` otherwise.

    Duplicate keys are refused with the rest: two readers of the same line
    could otherwise see two different entries.
    """
    try:
        return loads(data)
    except CanonicalError as exc:
        raise LineRefused("malformed_line", str(exc)) from None


def parse_record(line: bytes) -> dict[str, Any]:
    """Parse one line into its record object; ``LineRefused`` when it is not one."""
    record = loads_strict(line)
    if type(record) is not dict or record.keys() != _RECORD_KEYS:
        raise LineRefused(
            "malformed_line",
            "the line is not an object with exactly entry, leaf_hash, signature and key_id",
        )
    return record


# A line as the service writes it (RFC 8785): the entry's keys in order, then the three
# strings of the record. DOTALL: the body may hold any character, escaped or not. A
# signature in canonical base64 ends in one of "AQgw" before its padding (zero bits).
_LINE_AS_WRITTEN = re.compile(
    rb'\{"entry":(\{"body":\{.*\},"kind":"[^"\\]+","log":"([^"\\]+)",'
    rb'"recorded_at":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)",'
    rb'"seq":(0|[1-9]\d{0,15}),"v":1\})'
    rb',"key_id":"([0-9a-f]+)","leaf_hash":"([0-9a-f]{64})",'
    rb'"signature":"([A-Za-z0-9+/]{85}[AQgw]==)"\}',
    re.DOTALL,
)


def _check_line_as_written(line: bytes, seq: int | None, rules: LineRules) -> CheckedLeaf | None:
    """The short road for a line as the service writes it; None sends it down the full road.

    Returns a leaf only when every check of ``check_line`` holds, with the
    entry hashed as its bytes stand in the line (see the module docstring).
    """
    match = _LINE_AS_WRITTEN.fullmatch(line)
    if match is None:
        return None
    raw, log, recorded_at, got, key_id, claimed, signature = match.groups()
    got = int(got)
    if log != rules.log.encode() or (seq is not None and got != seq):
        return None
    leaf = _sha256(b"\x00" + raw).digest()
    if claimed != leaf.hex().encode():
        return None
    if rules.check_signatures:
        keys = rules.keys_for(key_id.decode())
        signature = binascii.a2b_base64(signature)
        if not any(verify_entry(key, leaf, signature) for key in keys):
            return None
    return CheckedLeaf(got, recorded_at.decode(), leaf)


def check_line(line: bytes, seq: int | None, rules: LineRules) -> CheckedLeaf:
    """Check one line; return its seq, recorded_at and recomputed leaf hash.

    ``seq``, when given, is the seq this line must hold (contiguity). Raises
    ``LineRefused`` naming the first check that fails: malformed line or
    entry, another log, wrong seq, a recorded_at not in ledger form, an entry
    outside the canonical JSON subset, an altered entry (leaf hash), and,
    unless the rules skip them, the signature and its key.
    """
    checked = _check_line_as_written(line, seq, rules)
    if checked is not None:
        return checked
    record = parse_record(line)
    entry = record["entry"]
    if type(entry) is not dict or entry.keys() != _ENTRY_KEYS:
        raise LineRefused(
            "malformed_entry",
            "the entry is not an object with exactly v, log, seq, recorded_at, kind and body",
        )
    version = entry["v"]
    if type(version) is not int or version != 1:
        raise LineRefused("malformed_entry", f"entry version {version!r} is not 1")
    if entry["log"] != rules.log:
        raise LineRefused(
            "other_log", f"the entry belongs to log {entry['log']!r}, not {rules.log!r}"
        )
    got = entry["seq"]
    if type(got) is not int:
        raise LineRefused("malformed_entry", f"the entry's seq {got!r} is not an integer")
    if seq is not None and got != seq:
        raise LineRefused("sequence", f"seq {got} stands where seq {seq} should be")
    recorded_at = entry["recorded_at"]
    if type(recorded_at) is not str or not _TIME_RE.fullmatch(recorded_at):
        raise LineRefused("malformed_entry", f"recorded_at {recorded_at!r} is not a ledger time")
    try:
        # Parsed by canonical.loads, so inside the subset: no second walk.
        canonical = canonical_bytes(entry, checked=True)
    except CanonicalError as exc:
        raise LineRefused("malformed_entry", f"the entry is not canonical JSON: {exc}") from None
    leaf = _sha256(b"\x00" + canonical).digest()
    claimed = record["leaf_hash"]
    if type(claimed) is not str or not _HEX64_RE.fullmatch(claimed):
        raise LineRefused("malformed_line", "leaf_hash is not 64 lowercase hex characters")
    if claimed != leaf.hex():
        raise LineRefused(
            "entry_altered",
            "the entry does not hash to its leaf_hash: the entry or its leaf_hash was altered",
        )
    if rules.check_signatures:
        _check_signature(record, leaf, rules)
    return CheckedLeaf(got, recorded_at, leaf)


def _check_signature(record: dict[str, Any], leaf: bytes, rules: LineRules) -> None:
    """The entry signature over ``leaf`` by a trusted key with the record's key_id."""
    key_id = record["key_id"]
    if type(key_id) is not str:
        raise LineRefused("malformed_line", "key_id is not a string")
    keys = rules.keys_for(key_id)
    if not keys:
        where = (
            "it is only in the bundle's keys.json, and keys found only inside the bundle "
            "are not trusted"
            if key_id in rules.bundle_only
            else "no trusted key has that id"
        )
        raise LineRefused("untrusted_key", f"the entry is signed by key {key_id}: {where}")
    try:
        signature = b64decode_strict(record["signature"])
    except ValueError as exc:
        raise LineRefused("malformed_line", f"the signature is not base64 ({exc})") from None
    if not any(verify_entry(key, leaf, signature) for key in keys):
        raise LineRefused(
            "bad_signature",
            f"the entry's signature by key {key_id} does not verify: the entry was altered "
            "or signed by another key",
        )
