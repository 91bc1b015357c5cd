"""``verify_bundle``: every check of DESIGN.md "Export bundles and the offline verifier", in order.

1. the zip opens, holds the bundle's files and nothing else;
2. the manifest's signature verifies with a trusted key, and every file has its SHA-256;
3. the checkpoint is signed by a trusted key, for this log and the bundle's tree size;
4. the fence posts and every entry are re-canonicalised (RFC 8785), re-hashed and their
   signatures checked (on all cores; ``fast`` skips signatures); seqs run without a gap,
   in one log, in time order, the entries inside ``[from, to)`` and the fence posts outside;
5. the root rebuilt from the bundle's leaves and proof.json is the checkpoint's root;
6. with a checkpoint the auditor kept, the log only grew since (consistency.json).

The first check that fails ends the run; the report names it.
"""

from __future__ import annotations

import time
import zipfile
import zlib
from collections.abc import Sequence

from auditsvc.core import merkle, notes
from auditsvc.core.keys import VerifierKey

from .bundle import Bundle, BundleKey, check_file_hash, load_json, open_bundle, read_keys
from .chunks import BLOCK_SIZE, ENTRIES_FILE, check_entries, usable_cpus
from .consistency import check_previous, read_consistency
from .errors import VerificationFailed
from .fences import check_fence_posts, read_fence_posts
from .records import LineRules
from .report import Report

__all__ = ["verify_bundle"]


def _read_checkpoint(
    bundle: Bundle, trusted: Sequence[VerifierKey]
) -> tuple[notes.Checkpoint, list[str]]:
    """checkpoint.txt, signed by a trusted key, for this log and the bundle's tree size."""
    manifest = bundle.manifest
    try:
        text = bundle.read_small("checkpoint.txt").decode("utf-8")
        opened = notes.read_note(text, trusted)
        checkpoint = notes.parse_checkpoint(opened.text)
    except (UnicodeDecodeError, notes.NoteError) as exc:
        raise VerificationFailed(
            "checkpoint_signature", f"checkpoint.txt: {exc}", file="checkpoint.txt"
        ) from None
    expected_origin = f"{manifest.origin}/{manifest.log}"
    if checkpoint.origin != expected_origin:
        raise VerificationFailed(
            "checkpoint_origin",
            f"the checkpoint is for {checkpoint.origin}, not for {expected_origin}",
            file="checkpoint.txt",
        )
    if checkpoint.size != manifest.tree_size:
        raise VerificationFailed(
            "checkpoint_size",
            f"the checkpoint is of tree size {checkpoint.size}, but the bundle was cut at tree "
            f"size {manifest.tree_size}: it is not this bundle's checkpoint",
            file="checkpoint.txt",
        )
    signers = [f"{signer.name} ({signer.key_id})" for signer in opened.verified]
    return checkpoint, signers


def _read_proof(bundle: Bundle) -> dict[merkle.NodeIndex, bytes]:
    """proof.json's nodes, for the bundle's tree size, none twice."""
    proof = load_json(bundle.read_small("proof.json"), "proof.json")
    if (
        type(proof) is not dict
        or set(proof) != {"tree_size", "nodes"}
        or type(proof["nodes"]) is not list
    ):
        raise VerificationFailed(
            "malformed_file",
            'proof.json is not {"tree_size": N, "nodes": [...]}',
            file="proof.json",
        )
    if proof["tree_size"] != bundle.manifest.tree_size:
        raise VerificationFailed(
            "proof_size",
            f"proof.json is for tree size {proof['tree_size']}, but the bundle was cut at tree "
            f"size {bundle.manifest.tree_size}",
            file="proof.json",
        )
    nodes: dict[merkle.NodeIndex, bytes] = {}
    for item in proof["nodes"]:
        try:
            index, value = merkle.node_from_json(item)
        except merkle.ProofError as exc:
            raise VerificationFailed(
                "malformed_file", f"proof.json: {exc}", file="proof.json"
            ) from None
        if index in nodes:
            raise VerificationFailed(
                "malformed_file", f"proof.json lists a node twice: {item}", file="proof.json"
            )
        nodes[index] = value
    return nodes


def _jobs(bundle: Bundle, jobs: int | None) -> int:
    """How many processes check entries.jsonl: every usable CPU, unless the file is small."""
    if jobs is None:
        jobs = len(usable_cpus())
    # Starting processes costs more than checking a small file in this one.
    if bundle.zip.getinfo(ENTRIES_FILE).file_size < 2 * BLOCK_SIZE:
        return 1
    return max(1, jobs)


def verify_bundle(
    path: str,
    trusted: Sequence[VerifierKey],
    *,
    previous_checkpoint: str | None = None,
    fast: bool = False,
    jobs: int | None = None,
) -> Report:
    """Verify the export bundle at ``path`` against the ``trusted`` keys; return the report.

    ``previous_checkpoint`` is the text of a signed checkpoint the auditor
    kept from before: the log must be consistent with it. ``fast`` skips the
    entry signatures (everything else is still checked). ``jobs`` is the
    number of processes checking entries (default: every core). The report's
    ``ok`` says whether everything held; ``failure`` names the first check
    that did not.
    """
    started = time.perf_counter()
    report = Report(bundle=path, signatures_checked=not fast)
    bundle = None
    try:
        if not trusted:
            raise VerificationFailed("no_trusted_key", "no trusted key given (--trusted-key)")
        bundle = open_bundle(path, trusted)
        report.take_manifest(bundle.manifest, bundle.manifest_signer)
        keys: list[BundleKey] = read_keys(bundle.read_small("keys.json"), trusted)
        report.untrusted_keys = [f"{k.name} ({k.key_id})" for k in keys if not k.trusted]
        checkpoint, report.checkpoint_signers = _read_checkpoint(bundle, trusted)
        nodes = _read_proof(bundle)
        consistency = read_consistency(bundle)

        rules = LineRules(
            log=bundle.manifest.log,
            check_signatures=not fast,
            trusted=tuple(key.verifier_string() for key in trusted),
            bundle_only=tuple(k.key_id for k in keys if not k.trusted),
        )
        fences = read_fence_posts(bundle, rules)
        a, b = check_fence_posts(fences, bundle)
        manifest = bundle.manifest
        leaves = merkle.CompactRange(a)
        if fences.before is not None:
            leaves.append(fences.before.leaf_hash)
        try:
            with bundle.zip.open(ENTRIES_FILE) as stream:
                outcome = check_entries(
                    stream,
                    first_seq=manifest.first_seq if manifest.first_seq is not None else 0,
                    range_from=manifest.range_from,
                    range_to=manifest.range_to,
                    rules=rules,
                    leaves=leaves,
                    jobs=_jobs(bundle, jobs),
                )
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            # A damaged member shows only as it is read (bad deflate data, bad CRC).
            raise VerificationFailed(
                "unreadable_zip",
                f"{ENTRIES_FILE} cannot be read from the zip (damaged: {exc})",
                file=ENTRIES_FILE,
            ) from None
        if outcome.count != manifest.count:
            last = manifest.first_seq + outcome.count - 1 if manifest.count else None
            raise VerificationFailed(
                "entry_count",
                f"entries.jsonl holds {outcome.count} entries (to seq {last}), but the manifest "
                f"says {manifest.count} (to seq {manifest.last_seq}): entries were removed or "
                "added",
                file=ENTRIES_FILE,
            )
        check_file_hash(manifest, ENTRIES_FILE, outcome.sha256)
        report.entries = outcome.count

        if fences.after is not None:
            leaves.append(fences.after.leaf_hash)
        try:
            root = merkle.root_from_compact_range(leaves, manifest.tree_size, nodes)
        except merkle.ProofError as exc:
            raise VerificationFailed(
                "proof_nodes", f"proof.json: {exc}", file="proof.json"
            ) from None
        if root != checkpoint.root:
            raise VerificationFailed(
                "root_mismatch",
                f"the root rebuilt from the bundle's {b - a + 1} leaves (seqs {a}..{b}) and "
                f"proof.json's nodes is not the checkpoint's root for tree size "
                f"{manifest.tree_size}: a proof node is wrong, or the leaves are not the log's",
                file="proof.json",
            )
        report.root = root
        report.previous = check_previous(previous_checkpoint, checkpoint, consistency, trusted)
        if consistency is not None and report.previous is None:
            report.notes.append(
                f"consistency.json proves the log grew from size {consistency.old_size}; "
                "pass --previous-checkpoint with the checkpoint you kept to check it"
            )
        report.ok = True
    except VerificationFailed as failure:
        report.failure = failure
    finally:
        if bundle is not None:
            bundle.close()
        report.seconds = time.perf_counter() - started
    if fast:
        report.notes.append("entry signatures were not checked (--fast)")
    return report
