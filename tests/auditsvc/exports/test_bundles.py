"""The bundle writer: DESIGN.md's format, the ledger's own bytes, the same bytes every time."""

from __future__ import annotations

import base64
import hashlib
import io

import pytest
from django.db import transaction
from django.utils import timezone

from auditsvc.core import merkle, notes
from auditsvc.core.canonical import canonical_bytes
from auditsvc.core.keys import VerifierKey
from auditsvc.exports.bundles import _chunk_rows, _line, bundle_snapshot, write_bundle
from auditsvc.exports.errors import InvalidPreviousSize, InvalidRange, UnknownLog
from auditsvc.ledger.checkpoints import checkpoint_sign
from auditsvc.ledger.services import entry_record, log_for_update

from .support import at, fill_log, open_bundle

pytestmark = pytest.mark.django_db

MINUTES = [0, 1, 2, 5, 5, 9, 10, 12, 20, 30, 31]


def bundle_bytes(log_id, from_, to, **kwargs) -> tuple[bytes, dict]:
    out = io.BytesIO()
    kwargs.setdefault("requested_by", None)
    manifest = write_bundle(log_id, from_, to, out=out, **kwargs)
    return out.getvalue(), manifest


def rebuilt_root(bundle) -> bytes:
    records = bundle.lines("fenceposts.jsonl") + bundle.lines("entries.jsonl")
    records.sort(key=lambda record: record["entry"]["seq"])
    leaves = [merkle.leaf_hash(canonical_bytes(record["entry"])) for record in records]
    proof = bundle.json("proof.json")
    nodes = dict(merkle.node_from_json(node) for node in proof["nodes"])
    first = records[0]["entry"]["seq"] if records else 0
    return merkle.root_from_range(first, leaves, proof["tree_size"], nodes)


def test_it_writes_the_entries_of_the_range_as_the_ledger_holds_them(signing_key):
    entries = fill_log("P0042", MINUTES)

    data, manifest = bundle_bytes("P0042", at(5), at(12))
    bundle = open_bundle(data)

    inside = [entry for entry in entries if at(5) <= entry.recorded_at < at(12)]
    assert [entry.seq for entry in inside] == [3, 4, 5, 6]
    assert bundle.lines("entries.jsonl") == [entry_record(entry) for entry in inside]
    # Each line is the canonical form of its record, and each entry its exact stored bytes.
    for line, entry in zip(bundle.files["entries.jsonl"].splitlines(), inside, strict=True):
        record = entry_record(entry)
        assert line == canonical_bytes(record)
        assert canonical_bytes(record["entry"]) == entry.canonical.encode()
    assert [r["entry"]["seq"] for r in bundle.lines("fenceposts.jsonl")] == [2, 7]
    assert (manifest["first_seq"], manifest["last_seq"], manifest["count"]) == (3, 6, 4)
    assert manifest["tree_size"] == len(MINUTES)


def test_its_proof_rebuilds_the_root_the_signed_checkpoint_names(signing_key):
    fill_log("P0042", MINUTES)

    bundle = open_bundle(bundle_bytes("P0042", at(5), at(12))[0])

    verifier = VerifierKey.from_string(signing_key.verifier_string())
    text, _ = notes.open_note(bundle.files["checkpoint.txt"].decode(), [verifier])
    checkpoint = notes.parse_checkpoint(text)
    assert checkpoint.size == len(MINUTES)
    assert rebuilt_root(bundle) == checkpoint.root


def test_its_manifest_hashes_every_other_file_and_is_signed(signing_key):
    fill_log("P0042", MINUTES)

    bundle = open_bundle(bundle_bytes("P0042", at(5), at(12))[0])

    manifest = bundle.manifest
    assert bundle.names == [
        "entries.jsonl",
        "fenceposts.jsonl",
        "proof.json",
        "checkpoint.txt",
        "keys.json",
        "manifest.json",
        "manifest.sig",
    ]
    assert manifest["files"] == {
        name: hashlib.sha256(bundle.files[name]).hexdigest()
        for name in bundle.names
        if not name.startswith("manifest.")
    }
    assert manifest["format"] == "auditsvc-bundle/1"
    assert manifest["range"] == {
        "from": "2026-03-01T08:05:00.000000Z",
        "to": "2026-03-01T08:12:00.000000Z",
    }
    assert manifest["requested_by"] == {"actor": None, "actor_id": None}
    assert bundle.files["manifest.json"] == canonical_bytes(manifest)
    signature = base64.b64decode(bundle.files["manifest.sig"].decode().strip())
    assert manifest["key_id"] == signing_key.key_id
    assert signing_key.verifier().verify(bundle.files["manifest.json"], signature)
    assert bundle.json("keys.json")["keys"][0]["verifier_key"] == signing_key.verifier_string()


def test_the_same_request_writes_the_same_bytes(signing_key):
    fill_log("P0042", MINUTES)
    snapshot = bundle_snapshot("P0042")

    first, _ = bundle_bytes("P0042", at(5), at(12), snapshot=snapshot)
    fill_log("P0042", [40, 41])  # the log grows meanwhile
    checkpoint_sign("P0042")
    second, _ = bundle_bytes("P0042", at(5), at(12), snapshot=snapshot)

    assert first == second


def test_an_empty_range_is_a_bundle_whose_fence_posts_meet(signing_key):
    fill_log("P0042", MINUTES)

    data, manifest = bundle_bytes("P0042", at(13), at(19))
    bundle = open_bundle(data)

    assert bundle.files["entries.jsonl"] == b""
    assert (manifest["count"], manifest["first_seq"], manifest["last_seq"]) == (0, None, None)
    assert [r["entry"]["seq"] for r in bundle.lines("fenceposts.jsonl")] == [7, 8]
    assert (
        rebuilt_root(bundle)
        == notes.parse_checkpoint(
            bundle.files["checkpoint.txt"].decode().split("\n\n")[0] + "\n"
        ).root
    )


def test_a_range_past_the_end_has_only_the_fence_post_before_it(signing_key):
    fill_log("P0042", MINUTES)

    bundle = open_bundle(bundle_bytes("P0042", at(31), at(60))[0])

    assert [r["entry"]["seq"] for r in bundle.lines("entries.jsonl")] == [10]
    assert [r["entry"]["seq"] for r in bundle.lines("fenceposts.jsonl")] == [9]
    # Seqs 9 and 10 are in the bundle: [0, 9) is covered by [0, 8) and [8, 9).
    assert [(n["start"], n["size"]) for n in bundle.json("proof.json")["nodes"]] == [(0, 8), (8, 1)]
    assert (
        rebuilt_root(bundle)
        == notes.parse_checkpoint(
            bundle.files["checkpoint.txt"].decode().split("\n\n")[0] + "\n"
        ).root
    )


def test_a_previous_size_brings_the_consistency_proof_to_the_tree_size(signing_key):
    fill_log("P0042", MINUTES[:5])
    old = checkpoint_sign("P0042")
    fill_log("P0042", MINUTES[5:])

    bundle = open_bundle(bundle_bytes("P0042", at(0), at(60), previous_size=5)[0])

    proof = bundle.json("consistency.json")
    assert (proof["from"], proof["to"]) == (5, len(MINUTES))
    hashes = [base64.b64decode(h) for h in proof["proof"]]
    new_root = rebuilt_root(bundle)
    merkle.verify_consistency(5, len(MINUTES), bytes(old.root_hash), new_root, hashes)
    assert "consistency.json" in bundle.manifest["files"]
    assert bundle.manifest["previous_size"] == 5


def test_a_log_with_no_entries_exports_as_the_empty_tree(signing_key):
    with transaction.atomic():
        log_for_update("P0043")

    data, manifest = bundle_bytes("P0043", at(-60), at(-30))
    bundle = open_bundle(data)

    assert bundle.files["entries.jsonl"] == bundle.files["fenceposts.jsonl"] == b""
    assert bundle.json("proof.json") == {"tree_size": 0, "nodes": []}
    assert manifest["tree_size"] == 0
    assert rebuilt_root(bundle) == merkle.EMPTY_ROOT


def test_it_refuses_what_cannot_be_exported(signing_key):
    fill_log("P0042", MINUTES)

    with pytest.raises(UnknownLog):
        bundle_bytes("P9999", at(0), at(10))
    with pytest.raises(InvalidRange, match="earlier"):
        bundle_bytes("P0042", at(10), at(10))
    with pytest.raises(InvalidRange, match="later than the request"):
        bundle_bytes("P0042", at(0), timezone.now() + timezone.timedelta(minutes=1))
    with pytest.raises(InvalidPreviousSize):
        bundle_bytes("P0042", at(0), at(10), previous_size=len(MINUTES) + 1)
    with pytest.raises(InvalidPreviousSize):
        bundle_bytes("P0042", at(0), at(10), previous_size=0)


def test_the_lines_the_database_builds_are_the_ones_python_builds(signing_key):
    # PostgreSQL builds entries.jsonl lines in SQL, SQLite in Python: both must be the
    # canonical form of the record, byte for byte (base64 of 64 bytes is 88 characters:
    # PostgreSQL's encode() would wrap it at 76 unless the writer removes the break).
    entries = fill_log("P0042", MINUTES)
    expected = "".join(canonical_bytes(entry_record(entry)).decode() + "\n" for entry in entries)

    python_lines = "".join(
        _line(entry.canonical, entry.leaf_hash, entry.signature, entry.key_id) for entry in entries
    )
    count, low, high, database_lines = _chunk_rows("P0042", 0, len(entries) - 1)

    assert python_lines == expected
    assert (count, low, high, database_lines) == (len(entries), 0, len(entries) - 1, expected)
