"""The tamper matrix of issue 10: each change to a real bundle is refused, naming its cause.

The bundles come from the exports writer over a real ledger in PostgreSQL.
Most changes are resealed (the manifest re-signed by the service's own key,
as a lying exporter could), so the check that names the cause is the one
that must catch them, not the manifest's hash list.
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.utils import timezone

from auditsvc.core import merkle, notes
from auditsvc.core.canonical import b64encode, canonical_bytes
from auditsvc.core.keys import SigningKey
from auditsvc.exports.bundles import BundleSnapshot
from auditsvc.ledger.checkpoints import checkpoint_origin, checkpoint_sign
from auditsvc.ledger.keys import entry_signing_key
from auditsvc.ledger.services import log_for_update

from ..exports.support import at, fill_log
from .support import Opened, export_bytes, verify

pytestmark = pytest.mark.django_db

MINUTES = [0, 1, 2, 5, 5, 9, 10, 12, 20, 30, 31]
# The range [at(5), at(12)) holds seqs 3..6; the fence posts are seqs 2 and 7.


@pytest.fixture
def bundle(signing_key) -> Opened:
    fill_log("P0042", MINUTES)
    return Opened.of(export_bytes("P0042", at(5), at(12)))


def refused(report, check: str, *words: str) -> str:
    assert not report.ok, report.verdict()
    assert report.failure.check == check, report.verdict()
    message = report.failure.message
    for word in words:
        assert word in message, message
    assert report.verdict().startswith("FAILED: ")
    return message


def test_the_untouched_bundle_passes(bundle, signing_key, tmp_path):
    report = verify(bundle.write(tmp_path / "b.zip"), signing_key)

    assert report.ok, report.verdict()
    assert report.entries == 4
    assert (report.manifest.first_seq, report.manifest.last_seq) == (3, 6)
    assert report.verdict().startswith("OK: ")


def test_an_edited_field_is_refused(bundle, signing_key, tmp_path):
    records = bundle.lines()
    records[1]["entry"]["body"]["text"] = "edited"
    bundle.set_lines(records)

    report = verify(bundle.write(tmp_path / "b.zip"), signing_key)

    refused(report, "entry_altered", "seq 4", "does not hash to its leaf_hash")
    assert report.failure.seq == 4


def test_an_edited_field_with_its_leaf_hash_redone_fails_its_signature(
    bundle, signing_key, tmp_path
):
    records = bundle.lines()
    records[1]["entry"]["body"]["text"] = "edited"
    records[1]["leaf_hash"] = merkle.leaf_hash(canonical_bytes(records[1]["entry"])).hex()
    bundle.set_lines(records).reseal(signing_key)

    report = verify(bundle.write(tmp_path / "b.zip"), signing_key)

    refused(report, "bad_signature", "seq 4", "signature", "does not verify")
    # Without signatures, the rebuilt root still gives it away.
    fast = verify(tmp_path / "b.zip", signing_key, fast=True)
    refused(fast, "root_mismatch", "checkpoint's root")


def test_a_dropped_entry_is_refused(bundle, signing_key, tmp_path):
    records = bundle.lines()
    del records[1]
    bundle.set_lines(records).reseal(signing_key)

    report = verify(bundle.write(tmp_path / "b.zip"), signing_key)

    refused(report, "sequence", "seq 4 missing", "the entry after seq 3 is seq 5")
    assert report.failure.seq == 4


def test_a_reordered_pair_is_refused(bundle, signing_key, tmp_path):
    records = bundle.lines()
    records[1], records[2] = records[2], records[1]
    bundle.set_lines(records).reseal(signing_key)

    report = verify(bundle.write(tmp_path / "b.zip"), signing_key)

    refused(report, "sequence", "seq 5 comes before seq 4", "out of order")


def test_an_entry_from_another_log_is_refused(bundle, signing_key, tmp_path):
    fill_log("P0043", MINUTES)
    other = Opened.of(export_bytes("P0043", at(5), at(12)))
    records = bundle.lines()
    records[2] = other.lines()[2]  # seq 5 of P0043, genuinely signed
    bundle.set_lines(records).reseal(signing_key)

    report = verify(bundle.write(tmp_path / "b.zip"), signing_key)

    refused(report, "other_log", "seq 5", "belongs to log 'P0043'")


def test_a_removed_fence_post_is_refused(bundle, signing_key, tmp_path):
    bundle.set_lines(bundle.lines("fenceposts.jsonl")[1:], "fenceposts.jsonl").reseal(signing_key)

    report = verify(bundle.write(tmp_path / "b.zip"), signing_key)

    refused(report, "missing_fence_post", "no fence post before the range", "seq 3")


def test_a_fence_post_inside_the_range_is_refused(bundle, signing_key, tmp_path):
    # Seq 3 (recorded at 08:05, inside the range) passed off as the fence post before it.
    records, fences = bundle.lines(), bundle.lines("fenceposts.jsonl")
    bundle.set_lines(records[1:]).set_lines([records[0], fences[1]], "fenceposts.jsonl")
    bundle.reseal(signing_key, first_seq=4, count=3)

    report = verify(bundle.write(tmp_path / "b.zip"), signing_key)

    refused(report, "fence_post_inside_range", "seq 3", "inside the range", "left out")


def test_a_wrong_proof_node_is_refused(bundle, signing_key, tmp_path):
    proof = json.loads(bundle.files["proof.json"])
    node = proof["nodes"][0]
    node["hash"] = b64encode(bytes(32))
    bundle.files["proof.json"] = canonical_bytes(proof)
    bundle.reseal(signing_key)

    report = verify(bundle.write(tmp_path / "b.zip"), signing_key)

    refused(report, "root_mismatch", "a proof node is wrong")


def test_a_checkpoint_of_another_size_is_refused(bundle, signing_key, tmp_path):
    fill_log("P0042", [40])
    bundle.files["checkpoint.txt"] = checkpoint_sign("P0042").note.encode()
    bundle.reseal(signing_key)

    report = verify(bundle.write(tmp_path / "b.zip"), signing_key)

    refused(report, "checkpoint_size", "tree size 12", "tree size 11")


def test_a_checkpoint_signed_by_an_untrusted_key_is_refused(bundle, signing_key, tmp_path):
    stranger = SigningKey.generate(signing_key.name)
    text = bundle.files["checkpoint.txt"].decode().split("\n\n")[0] + "\n"
    bundle.files["checkpoint.txt"] = notes.sign_note(text, [stranger]).encode()
    bundle.reseal(signing_key)

    report = verify(bundle.write(tmp_path / "b.zip"), signing_key)

    refused(report, "checkpoint_signature", "no trusted key signed", stranger.key_id)


def test_a_manifest_that_does_not_match_its_files_is_refused(bundle, signing_key, tmp_path):
    bundle.set_lines(bundle.lines("fenceposts.jsonl")[1:], "fenceposts.jsonl")  # not resealed

    report = verify(bundle.write(tmp_path / "b.zip"), signing_key)

    refused(report, "file_mismatch", "fenceposts.jsonl does not match the manifest")
    assert report.failure.file == "fenceposts.jsonl"


def test_an_edited_manifest_is_refused(bundle, signing_key, tmp_path):
    manifest = bundle.manifest
    manifest["count"] = 3
    bundle.files["manifest.json"] = canonical_bytes(manifest)

    report = verify(bundle.write(tmp_path / "b.zip"), signing_key)

    refused(report, "manifest_signature", "the manifest was changed")


def test_a_truncated_zip_is_refused(bundle, signing_key, tmp_path):
    path = bundle.write(tmp_path / "b.zip")
    path.write_bytes(path.read_bytes()[:-200])

    report = verify(path, signing_key)

    refused(report, "unreadable_zip", "not a complete zip file")


def test_the_last_entries_of_the_range_removed_are_refused(bundle, signing_key, tmp_path):
    bundle.set_lines(bundle.lines()[:2]).reseal(signing_key, last_seq=4, count=2)

    report = verify(bundle.write(tmp_path / "b.zip"), signing_key)

    refused(report, "fence_post_gap", "seqs 5..6 missing", "end of the range was removed")


def test_the_tail_removed_without_the_fence_post_is_refused(bundle, signing_key, tmp_path):
    bundle.set_lines(bundle.lines()[:2])
    bundle.set_lines(bundle.lines("fenceposts.jsonl")[:1], "fenceposts.jsonl")
    bundle.reseal(signing_key, last_seq=4, count=2)

    report = verify(bundle.write(tmp_path / "b.zip"), signing_key)

    refused(report, "missing_fence_post", "no fence post after the range", "held 11 entries")


def test_the_tail_removed_from_entries_alone_is_refused(bundle, signing_key, tmp_path):
    bundle.set_lines(bundle.lines()[:2])  # the manifest still says 4 entries

    report = verify(bundle.write(tmp_path / "b.zip"), signing_key)

    refused(report, "entry_count", "holds 2 entries", "says 4")


def _previous_checkpoint(tmp_path, size: int, root: bytes, key: SigningKey):
    text = notes.checkpoint_text(checkpoint_origin("P0042"), size, root)
    path = tmp_path / "kept-checkpoint.txt"
    path.write_text(notes.sign_note(text, [key]))
    return path.read_text()


def test_a_previous_checkpoint_the_log_extends_passes(signing_key, tmp_path):
    fill_log("P0042", MINUTES[:5])
    kept = checkpoint_sign("P0042").note
    fill_log("P0042", MINUTES[5:])
    bundle = Opened.of(export_bytes("P0042", at(5), at(12), previous_size=5))

    report = verify(bundle.write(tmp_path / "b.zip"), signing_key, previous_checkpoint=kept)

    assert report.ok, report.verdict()
    assert "consistent with your checkpoint of size 5" in report.verdict()


def test_a_previous_checkpoint_that_is_not_consistent_is_refused(bundle, signing_key, tmp_path):
    fill_log("P0042", [40])
    data = export_bytes("P0042", at(5), at(12), previous_size=5)
    # A checkpoint of size 5 of some other history, signed by the service's key.
    kept = _previous_checkpoint(tmp_path, 5, bytes(range(32)), signing_key)

    report = verify(
        Opened.of(data).write(tmp_path / "b.zip"), signing_key, previous_checkpoint=kept
    )

    refused(report, "inconsistent", "not consistent with the checkpoint you kept (size 5)")


def test_a_log_cut_back_after_a_kept_checkpoint_is_refused(signing_key, tmp_path):
    fill_log("P0042", MINUTES[:8])
    cut = checkpoint_sign("P0042")
    fill_log("P0042", MINUTES[8:])
    kept = checkpoint_sign("P0042").note  # the auditor keeps size 11
    # The log cut back to its first 8 entries: what an export of it shows.
    later = timezone.now()
    snapshot = BundleSnapshot(cut.size, later, entry_signing_key().key_id)
    data = export_bytes("P0042", at(5), at(12), snapshot=snapshot)
    path = Opened.of(data).write(tmp_path / "b.zip")

    assert verify(path, signing_key).ok  # alone, the cut-back bundle looks whole
    report = verify(path, signing_key, previous_checkpoint=kept)

    refused(report, "log_cut_back", "size 11", "has 8", "cut back")


@pytest.mark.parametrize(
    ("start", "end"),
    [(6, 8), (-10, 0), (50, 60), (0, 12), (5, 60), (0, 60)],
    ids=[
        "empty",
        "empty-before-the-start",
        "empty-past-the-end",
        "from-the-start",
        "to-the-end",
        "whole-log",
    ],
)
def test_ranges_at_every_edge_verify(signing_key, tmp_path, start, end):
    fill_log("P0042", MINUTES)
    data = export_bytes("P0042", at(start), at(end))

    report = verify(Opened.of(data).write(tmp_path / "b.zip"), signing_key)

    assert report.ok, report.verdict()
    assert report.entries == len([m for m in MINUTES if start <= m < end])


def test_an_empty_log_verifies(signing_key, tmp_path):
    with transaction.atomic():
        log_for_update("P0043")
    data = export_bytes("P0043", at(-60), at(-30))

    report = verify(Opened.of(data).write(tmp_path / "b.zip"), signing_key)

    assert report.ok, report.verdict()
    assert (report.entries, report.manifest.tree_size) == (0, 0)


def test_a_key_slipped_into_keys_json_is_refused_as_a_changed_file(bundle, signing_key, tmp_path):
    stranger = SigningKey.generate(signing_key.name)
    keys = json.loads(bundle.files["keys.json"])
    keys["keys"].append({**keys["keys"][0], "verifier_key": stranger.verifier_string()})
    bundle.files["keys.json"] = canonical_bytes(keys)

    report = verify(bundle.write(tmp_path / "b.zip"), signing_key)

    refused(report, "file_mismatch", "keys.json does not match the manifest")
