"""The export bundle writer: one log over a ``recorded_at`` range, as a zip verifiable offline.

The format is DESIGN.md "Export bundles and the offline verifier"; the
details it leaves open are fixed here, for the offline verifier:

- Every ``.json`` member and every ``.jsonl`` line is the RFC 8785 canonical
  form of its object; a ``.jsonl`` line ends with ``\\n`` (the last one too),
  a ``.json`` member has no trailing newline. ``manifest.sig`` is the base64
  signature and one ``\\n``. ``checkpoint.txt`` is the signed note as stored.
- Members, in this order: ``entries.jsonl``, ``fenceposts.jsonl``,
  ``proof.json``, ``checkpoint.txt``, ``consistency.json`` (only with a
  previous size), ``keys.json``, ``manifest.json``, ``manifest.sig``.
- ``fenceposts.jsonl`` holds the entry just before the range first, then the
  one just after it; either is absent where the log has none (before seq 0,
  or at the tree size).
- ``consistency.json`` is ``{"from": previous size, "to": N, "proof": [base64, ...]}``,
  as the public consistency endpoint answers.
- ``keys.json`` lists every published key (retired ones too) whose
  ``valid_from`` is not after ``created_at``, oldest first.
- ``manifest.sig`` is Ed25519 over the manifest's RFC 8785 bytes (exactly the
  bytes of ``manifest.json``), by the key named in the manifest's ``key_id``.
- Zip: deflate (level 1), every member dated ``created_at`` (UTC, to the
  even second, as zip stores it), Unix mode 0644.

Determinism: the tree size N, ``created_at`` and the manifest's key are fixed
when the export is asked for; the entries below N never change (append
only), the checkpoint is the newest of size N signed by ``created_at``, and
Ed25519 signatures are deterministic. So the same request written twice to
a seekable file gives the same bytes.

Memory stays flat: entries are read in keyset chunks of ``CHUNK`` rows and
their lines are built from the stored canonical text without parsing it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from auditsvc.base.actors import actor_fields
from auditsvc.base.errors import NotFound
from auditsvc.core import merkle
from auditsvc.core.canonical import b64encode, canonical_bytes, format_time
from auditsvc.core.keys import SigningKey
from auditsvc.ledger.checkpoints import checkpoint_sign
from auditsvc.ledger.keys import entry_signing_key, load_private_keys
from auditsvc.ledger.models import LedgerEntry, PublishedKey, SignedCheckpoint
from auditsvc.ledger.selectors import consistency_proof, log_get, range_nodes
from auditsvc.ledger.services import log_for_update
from partners.models import Partner

from .archive import BundleZip
from .errors import ExportError, InvalidPreviousSize, InvalidRange, UnknownLog

__all__ = [
    "BUNDLE_FORMAT",
    "CHUNK",
    "BundleSnapshot",
    "bundle_snapshot",
    "check_request",
    "seq_range",
    "write_bundle",
]

BUNDLE_FORMAT = "auditsvc-bundle/1"
#: Entries read per query while streaming.
CHUNK = 5000

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BundleSnapshot:
    """What a request fixes: the tree size N (with a checkpoint of that size) and ``created_at``."""

    tree_size: int
    created_at: dt.datetime
    key_id: str


def bundle_snapshot(log_id: str) -> BundleSnapshot:
    """Fix an export's tree size and time now: the log's size, signing a checkpoint if none has it.

    Taken under the lock on the log's head, which appends hold until they
    commit: an append in flight, whose ``recorded_at`` may already be in the
    past, is waited for, and every later one is recorded at or after
    ``created_at``. So with ``to <= created_at`` (``check_request``) every
    entry of the range is below the tree size, and a bundle asked for up to
    "now" cannot miss one committed a moment later. Raises ``UnknownLog``
    when the log does not exist.
    """
    try:
        log_get(log_id)
    except NotFound:
        raise UnknownLog(f"There is no log {log_id!r}.", field="log") from None
    with transaction.atomic():
        log = log_for_update(log_id)
        checkpoint = SignedCheckpoint.objects.filter(log_id=log_id, size=log.size).first()
        if checkpoint is None:
            # The head cannot move while it is locked: this signs exactly log.size.
            checkpoint = checkpoint_sign(log_id)
        created_at = timezone.now()
    return BundleSnapshot(
        tree_size=checkpoint.size, created_at=created_at, key_id=entry_signing_key().key_id
    )


def _partner(log_id: str) -> dict[str, str] | None:
    # A partner's live log is its code; its test log is the code and "T".
    partner = Partner.objects.filter(code=log_id).only("code", "legal_name").first()
    if partner is None and log_id.endswith("T"):
        partner = Partner.objects.filter(code=log_id[:-1]).only("code", "legal_name").first()
    return {"code": partner.code, "name": partner.legal_name} if partner else None


def seq_range(log_id: str, from_: dt.datetime, to: dt.datetime, size: int) -> tuple[int, int]:
    """The seqs ``a..b`` of the range's entries below ``size``; ``b = a - 1`` when none.

    ``recorded_at`` never decreases within a log, so the range is a run of
    seqs, found at its two ends through the (log, recorded_at) index.
    """
    below = LedgerEntry.objects.filter(log_id=log_id, seq__lt=size)
    first = (
        below.filter(recorded_at__gte=from_)
        .order_by("recorded_at", "seq")
        .values_list("seq", flat=True)
        .first()
    )
    a = size if first is None else first
    last = (
        below.filter(recorded_at__lt=to, seq__gte=a)
        .order_by("-recorded_at", "-seq")
        .values_list("seq", flat=True)
        .first()
    )
    b = a - 1 if last is None else last
    return a, b


def _line(canonical: str, leaf_hash: bytes, signature: bytes, key_id: str) -> str:
    # The RFC 8785 form of {"entry", "key_id", "leaf_hash", "signature"}: the keys are
    # already in sorted order and the stored entry text is canonical, so no re-encoding.
    return (
        f'{{"entry":{canonical},"key_id":"{key_id}",'
        f'"leaf_hash":"{bytes(leaf_hash).hex()}","signature":"{b64encode(signature)}"}}\n'
    )


_COLUMNS = ("seq", "canonical", "leaf_hash", "signature", "key_id")


# PostgreSQL builds the lines itself, in its own process (the other core), exactly as
# _line does: the stored canonical text, lower-case hex, base64 without line breaks.
_PG_CHUNK_SQL = """
SELECT count(*), min(seq), max(seq), string_agg(
    '{"entry":' || canonical || ',"key_id":"' || key_id || '","leaf_hash":"'
    || encode(leaf_hash, 'hex') || '","signature":"'
    || translate(encode(signature, 'base64'), E'\\n', '') || E'"}\\n', '' ORDER BY seq)
FROM (
    SELECT seq, canonical, key_id, leaf_hash, signature FROM {table}
    WHERE log_id = %s AND seq >= %s AND seq <= %s ORDER BY seq LIMIT %s
) AS chunk
"""


def _chunk_rows(log_id: str, first: int, b: int) -> tuple[int, int | None, int | None, str]:
    """``(count, first seq, last seq, text)`` of up to ``CHUNK`` entries from seq ``first``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _PG_CHUNK_SQL.replace("{table}", LedgerEntry._meta.db_table),
                [log_id, first, b, CHUNK],
            )
            count, low, high, text = cursor.fetchone()
        return count, low, high, text or ""
    rows = list(
        LedgerEntry.objects.filter(log_id=log_id, seq__gte=first, seq__lte=b)
        .order_by("seq")
        .values_list(*_COLUMNS)[:CHUNK]
    )
    if not rows:
        return 0, None, None, ""
    return len(rows), rows[0][0], rows[-1][0], "".join([_line(*row[1:]) for row in rows])


def _entry_lines(log_id: str, a: int, b: int) -> Any:
    """Yield ``(count, text)`` chunks of entries.jsonl for seqs a..b, one query per chunk."""
    expected = a
    while expected <= b:
        count, low, high, text = _chunk_rows(log_id, expected, b)
        if not count or low != expected or high != expected + count - 1:
            raise ExportError(
                f"Log {log_id} has a gap after seq {expected - 1}: run manage.py verify_ledger."
            )
        expected += count
        yield count, text


def _record_lines(log_id: str, seqs: list[int]) -> bytes:
    rows = (
        LedgerEntry.objects.filter(log_id=log_id, seq__in=seqs)
        .order_by("seq")
        .values_list(*_COLUMNS)
    )
    return "".join(_line(*row[1:]) for row in rows).encode("utf-8")


def _checkpoint_note(log_id: str, size: int, created_at: dt.datetime) -> str:
    checkpoint = (
        SignedCheckpoint.objects.filter(log_id=log_id, size=size, signed_at__lte=created_at)
        .order_by("-signed_at", "-id")
        .first()
    )
    if checkpoint is None:
        raise ExportError(
            f"Log {log_id} has no checkpoint of size {size} signed by {format_time(created_at)}."
        )
    return checkpoint.note


def _keys_document(created_at: dt.datetime) -> dict[str, Any]:
    keys = PublishedKey.objects.filter(valid_from__lte=created_at).order_by("valid_from", "key_id")
    return {
        "keys": [
            {
                "key_id": key.key_id,
                "name": key.name,
                "algorithm": key.algorithm,
                "public_key": b64encode(key.public_key),
                "verifier_key": key.verifier_key,
            }
            for key in keys
        ]
    }


def _manifest_key(key_id: str | None) -> SigningKey:
    if key_id is None:
        return entry_signing_key()
    key = load_private_keys().get(key_id)
    if key is None:
        raise ExportError(
            f"The key {key_id} that this export was fixed to sign with is not loaded here."
        )
    return key


def check_request(
    from_: dt.datetime, to: dt.datetime, created_at: dt.datetime, previous_size: int | None, n: int
) -> None:
    for name, value in (("from", from_), ("to", to)):
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise InvalidRange(f"'{name}' must be a time with a UTC offset.", field=name)
    if from_ >= to:
        raise InvalidRange("'from' must be earlier than 'to'.", field="from")
    if to > created_at:
        raise InvalidRange(
            f"'to' ({format_time(to)}) is later than the request ({format_time(created_at)}): "
            "a range may not reach into the future.",
            field="to",
        )
    if previous_size is not None and (
        type(previous_size) is not int or not 1 <= previous_size <= n
    ):
        raise InvalidPreviousSize(
            f"previous_size must be a checkpoint size from 1 to the log's size {n}.",
            field="previous_size",
        )


def write_bundle(
    log_id: str,
    from_: dt.datetime,
    to: dt.datetime,
    *,
    previous_size: int | None = None,
    requested_by: Any,
    out: BinaryIO,
    snapshot: BundleSnapshot | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the bundle of log ``log_id`` over ``[from_, to)`` to ``out``; return its manifest.

    ``requested_by`` is the user who asked (``None``: the system or an
    operator at the command line). ``snapshot`` is what the request fixed
    (``bundle_snapshot``); without it the tree size and time are fixed now.
    ``progress(done, total)`` is called as entries are written. With
    ``previous_size`` (the size of a checkpoint the auditor holds) the bundle
    carries the consistency proof from it to the tree size.

    Raises ``UnknownLog``, ``InvalidRange`` (from >= to, to later than the
    request), ``InvalidPreviousSize``, or ``ExportError`` if the ledger is
    damaged. Nothing is signed into the ledger here; the request service
    records who asked.
    """
    snapshot = snapshot or bundle_snapshot(log_id)
    n, created_at = snapshot.tree_size, snapshot.created_at
    check_request(from_, to, created_at, previous_size, n)
    key = _manifest_key(snapshot.key_id)

    a, b = seq_range(log_id, from_, to, n)
    count = b - a + 1
    before = [a - 1] if a > 0 else []
    after = [b + 1] if b + 1 < n else []
    report = progress or (lambda done, total: None)
    report(0, count)

    archive = BundleZip(out, created_at)
    done = 0

    def entries() -> Any:
        nonlocal done
        for rows, text in _entry_lines(log_id, a, b):
            done += rows
            yield text.encode("utf-8")
            report(done, count)

    archive.stream("entries.jsonl", entries())
    archive.write("fenceposts.jsonl", _record_lines(log_id, before + after))
    low = before[0] if before else a
    high = after[0] if after else b
    nodes = range_nodes(log_id, low, high, n)
    archive.write(
        "proof.json",
        canonical_bytes(
            {"tree_size": n, "nodes": [merkle.node_to_json(index, h) for index, h in nodes]}
        ),
    )
    archive.write("checkpoint.txt", _checkpoint_note(log_id, n, created_at).encode("utf-8"))
    if previous_size is not None:
        proof = consistency_proof(log_id, previous_size, n)
        archive.write(
            "consistency.json",
            canonical_bytes(
                {"from": previous_size, "to": n, "proof": [b64encode(h) for h in proof]}
            ),
        )
    archive.write("keys.json", canonical_bytes(_keys_document(created_at)))

    manifest: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "origin": settings.AUDITSVC_ORIGIN,
        "log": log_id,
        "partner": _partner(log_id),
        "range": {"from": format_time(from_), "to": format_time(to)},
        "first_seq": a if count else None,
        "last_seq": b if count else None,
        "count": count,
        "tree_size": n,
        "previous_size": previous_size,
        "files": dict(sorted(archive.digests.items())),
        "created_at": format_time(created_at),
        "requested_by": actor_fields(requested_by),
        "key_id": key.key_id,
    }
    data = canonical_bytes(manifest)
    archive.write("manifest.json", data)
    archive.write("manifest.sig", (b64encode(key.sign(data)) + "\n").encode("ascii"))
    archive.close()
    return manifest
