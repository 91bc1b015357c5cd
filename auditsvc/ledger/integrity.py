"""Re-verify the ledger tables from scratch: what ``manage.py verify_ledger`` runs.

The triggers stop changes through SQL, but not a restored backup that was
edited, a table owner who dropped a trigger, or a disk that flipped a bit.
This recomputes everything the ledger claims, log by log, in seq order:

- every entry's canonical text re-canonicalises to itself (RFC 8785) and
  agrees with its columns (log, seq, kind, recorded_at);
- every leaf hash is SHA-256(0x00 || canonical bytes);
- every signature verifies under the published key named by its key_id;
- seqs run 0, 1, 2, ... without a gap up to the head's size, and
  recorded_at never decreases;
- every stored subtree hash (TreeNode) equals the hash recomputed from the
  leaves, and exactly the expected ones are stored;
- no entry and no stored subtree hash lies past the head (seq >= size);
- every stored checkpoint's root is the recomputed root at its size, and its
  note is validly signed by published keys only (those it lists).

Entries are streamed in chunks with bounded memory: only the tree's right
edge (one hash per level) is carried from one chunk to the next. The first
problem in a log stops that log's stream (what follows would only repeat it).
"""

from __future__ import annotations

import functools
import json
import operator
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.db.models import Count, Min, Q

from auditsvc.core import merkle, notes
from auditsvc.core.canonical import CanonicalError, canonical_bytes, format_time
from auditsvc.core.keys import KeyFormatError, VerifierKey, verify_entry

from .models import LedgerEntry, Log, PublishedKey, SignedCheckpoint, TreeNode

Progress = Callable[[str, int, int], None]

_ENTRY_KEYS = frozenset({"v", "log", "seq", "recorded_at", "kind", "body"})


@dataclass
class LogVerdict:
    """What ``verify_log`` found in one log."""

    log_id: str
    size: int
    entries: int = 0
    nodes: int = 0
    checkpoints: int = 0
    bad_seq: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, problem: str, seq: int | None = None) -> None:
        if seq is not None and self.bad_seq is None:
            self.bad_seq = seq
        self.problems.append(problem)


class _Stop(Exception):
    """The first bad entry of a log was found; stop streaming it."""


def published_verifiers() -> tuple[dict[str, VerifierKey], dict[str, str]]:
    """Every published key as a verifier, by key_id, and the rows that are not consistent.

    A row whose verifier string does not parse, or disagrees with its key_id
    or public_key column, verifies nothing.
    """
    verifiers: dict[str, VerifierKey] = {}
    broken: dict[str, str] = {}
    for row in PublishedKey.objects.all():
        try:
            verifier = VerifierKey.from_string(row.verifier_key)
        except KeyFormatError as exc:
            broken[row.key_id] = f"its verifier key does not parse ({exc})"
            continue
        if verifier.key_id != row.key_id or verifier.public_key != bytes(row.public_key):
            broken[row.key_id] = "its verifier key disagrees with its key_id or public_key"
            continue
        verifiers[row.key_id] = verifier
    return verifiers, broken


def _chunks(iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _right_edge(size: int, known: dict[merkle.NodeIndex, bytes]) -> merkle.DictHashReader:
    """The maximal subtrees of [0, size): all a later append or root needs from before."""
    edge = merkle.DictHashReader()
    for level in range(size.bit_length()):
        if (size >> level) & 1:
            index = (level, (size >> level) - 1)
            edge[index] = known[index]
    return edge


def _completed_nodes_q(lo: int, hi: int, max_level: int) -> Q | None:
    """Q for the stored nodes (level >= 1) completed by leaves lo..hi-1 (their last leaf there)."""
    terms = []
    for level in range(1, max_level + 1):
        # Node (level, i) ends at leaf (i + 1) * 2**level - 1.
        first = ((lo + (1 << level)) >> level) - 1
        last = (hi >> level) - 1
        if first <= last:
            terms.append(Q(level=level, index__gte=first, index__lte=last))
    return functools.reduce(operator.or_, terms) if terms else None


def _check_checkpoint_notes(
    verdict: LogVerdict, checkpoints: list[dict], verifiers: dict[str, VerifierKey]
) -> None:
    trusted = list(verifiers.values())
    for cp in checkpoints:
        label = f"checkpoint #{cp['id']} (size {cp['size']})"
        try:
            opened = notes.read_note(cp["note"], trusted)
            parsed = notes.parse_checkpoint(opened.text)
        except notes.NoteError as exc:
            verdict.fail(f"{label}: {exc}")
            continue
        signers = {signer.key_id for signer in opened.verified}
        listed = set(filter(None, cp["key_ids"].split(",")))
        if opened.unverified:
            unknown = ", ".join(f"{s.name} ({s.key_id})" for s in opened.unverified)
            verdict.fail(f"{label}: signed by unpublished keys: {unknown}")
        elif signers != listed:
            verdict.fail(
                f"{label}: signed by {sorted(signers)} but lists {sorted(listed)} as its signers"
            )
        if not parsed.origin.endswith(f"/{verdict.log_id}"):
            verdict.fail(f"{label}: its origin line {parsed.origin!r} names another log")
        if parsed.size != cp["size"] or parsed.root != bytes(cp["root_hash"]):
            verdict.fail(f"{label}: the signed size or root differs from the stored columns")


def _check_entry(
    verdict: LogVerdict,
    row: tuple,
    expected_seq: int,
    previous_time,
    verifiers: dict[str, VerifierKey],
    broken_keys: dict[str, str],
) -> bytes:
    """Check one entry row; return its leaf hash. Raises _Stop at the first problem."""
    seq, recorded_at, kind, canonical, stored_leaf, signature, key_id = row

    def fail(problem: str):
        verdict.fail(f"seq {seq}: {problem}", seq)
        raise _Stop

    if seq != expected_seq:
        verdict.fail(
            f"seq {expected_seq} is missing (the next entry stored is {seq})", expected_seq
        )
        raise _Stop
    data = canonical.encode("utf-8")
    try:
        obj = json.loads(canonical)
        recanonical = canonical_bytes(obj)
    except (ValueError, CanonicalError) as exc:
        fail(f"the canonical text is not ledger JSON ({exc})")
    if recanonical != data:
        fail("the canonical text is not in RFC 8785 form")
    if type(obj) is not dict or set(obj) != _ENTRY_KEYS or obj["v"] != 1:
        fail("the entry is not a version 1 entry object")
    if type(obj["body"]) is not dict:
        fail("the entry body is not an object")
    if obj["log"] != verdict.log_id or obj["seq"] != seq:
        fail(f"the entry says log {obj['log']!r} seq {obj['seq']!r}")
    if obj["kind"] != kind:
        fail(f"the entry says kind {obj['kind']!r} but the row says {kind!r}")
    if obj["recorded_at"] != format_time(recorded_at):
        fail(f"the entry says recorded_at {obj['recorded_at']} but the row says {recorded_at}")
    leaf = merkle.leaf_hash(data)
    if leaf != bytes(stored_leaf):
        fail("the leaf hash is not SHA-256(0x00 || canonical bytes)")
    verifier = verifiers.get(key_id)
    if verifier is None:
        why = broken_keys.get(key_id, "it is not published")
        fail(f"signed by key {key_id}, but {why}")
    if not verify_entry(verifier, leaf, bytes(signature)):
        fail(f"the signature does not verify under key {key_id}")
    if previous_time is not None and recorded_at < previous_time:
        fail(f"recorded_at {recorded_at} is earlier than the previous entry's {previous_time}")
    return leaf


def verify_log(
    log_id: str, *, chunk_size: int = 2000, progress: Progress | None = None
) -> LogVerdict:
    """Re-verify one log up to its head's size at the start (see the module docstring)."""
    log = Log.objects.get(pk=log_id)
    size = log.size
    verdict = LogVerdict(log_id, size)
    verifiers, broken_keys = published_verifiers()

    checkpoints = list(
        SignedCheckpoint.objects.filter(log_id=log_id)
        .order_by("size", "id")
        .values("id", "size", "root_hash", "note", "key_ids")
    )
    _check_checkpoint_notes(verdict, checkpoints, verifiers)
    roots_wanted: dict[int, list[dict]] = defaultdict(list)
    for cp in checkpoints:
        if cp["size"] > size:
            verdict.fail(f"checkpoint #{cp['id']} is of size {cp['size']}, beyond the log")
        else:
            roots_wanted[cp["size"]].append(cp)

    def check_roots(upto: int, known: dict[merkle.NodeIndex, bytes]) -> None:
        reader = merkle.DictHashReader(known)
        for wanted in sorted(s for s in roots_wanted if s <= upto):
            root = merkle.tree_hash(wanted, reader)
            for cp in roots_wanted.pop(wanted):
                verdict.checkpoints += 1
                if bytes(cp["root_hash"]) != root:
                    verdict.fail(
                        f"checkpoint #{cp['id']} (size {wanted}): its root is not the root of "
                        f"the first {wanted} entries"
                    )

    check_roots(0, {})
    rows = (
        LedgerEntry.objects.filter(log_id=log_id, seq__lt=size)
        .order_by("seq")
        .values_list("seq", "recorded_at", "kind", "canonical", "leaf_hash", "signature", "key_id")
        .iterator(chunk_size=chunk_size)
    )
    edge = merkle.DictHashReader()
    position = 0
    previous_time = None
    try:
        for chunk in _chunks(rows, chunk_size):
            leaves = []
            for row in chunk:
                leaves.append(
                    _check_entry(
                        verdict, row, position + len(leaves), previous_time, verifiers, broken_keys
                    )
                )
                previous_time = row[1]
            verdict.entries += len(leaves)
            computed = merkle.stored_hashes_for_append(position, leaves, edge)
            new_position = position + len(leaves)
            _check_chunk_nodes(verdict, log_id, position, new_position, computed)
            known = {**edge, **dict(computed)}
            check_roots(new_position, known)
            edge = _right_edge(new_position, known)
            position = new_position
            if progress:
                progress(log_id, position, size)
        if position < size:
            verdict.fail(f"seq {position} is missing (the head says {size} entries)", position)
            raise _Stop
        if size and log.last_recorded_at is not None and previous_time > log.last_recorded_at:
            verdict.fail("the head's last_recorded_at is earlier than its newest entry's")
        _check_node_count(verdict, log_id, size)
    except _Stop:
        pass
    _check_nothing_past_the_head(verdict, log_id, size)
    return verdict


def _check_nothing_past_the_head(verdict: LogVerdict, log_id: str, size: int) -> None:
    # Rows past the head are covered by no checkpoint and no proof, so the
    # stream above never reads them; but they should not exist at all (only
    # the head's transaction writes them, and it moves the head too), so
    # they show a rolled-back head or rows slipped in by hand.
    beyond = LedgerEntry.objects.filter(log_id=log_id, seq__gte=size).aggregate(
        count=Count("id"), first=Min("seq")
    )
    if beyond["count"]:
        verdict.fail(
            f"{beyond['count']} entries lie past the head (size {size}), "
            f"the first at seq {beyond['first']}",
            beyond["first"],
        )
    # A node (level, index) covers leaves up to (index + 1) * 2**level - 1.
    past = Q(level__gte=max(size.bit_length(), 1)) | functools.reduce(
        operator.or_,
        (Q(level=level, index__gte=size >> level) for level in range(size.bit_length())),
        Q(index__lt=0),
    )
    nodes = TreeNode.objects.filter(past, log_id=log_id).count()
    if nodes:
        verdict.fail(f"{nodes} stored subtree hashes lie past the head (size {size})")


def _check_chunk_nodes(
    verdict: LogVerdict,
    log_id: str,
    lo: int,
    hi: int,
    computed: list[tuple[merkle.NodeIndex, bytes]],
) -> None:
    expected = [(index, value) for index, value in computed if index[0]]
    wanted = _completed_nodes_q(lo, hi, hi.bit_length())
    stored: dict[merkle.NodeIndex, bytes] = {}
    if wanted is not None:
        rows = TreeNode.objects.filter(wanted, log_id=log_id).values_list("level", "index", "hash")
        stored = {(level, index): bytes(value) for level, index, value in rows}
    for (level, index), value in expected:
        last_leaf = ((index + 1) << level) - 1
        where = (
            f"stored subtree hash (level {level}, index {index}, seqs {index << level}-{last_leaf})"
        )
        if (level, index) not in stored:
            verdict.fail(f"seq {last_leaf}: {where} is missing", last_leaf)
            raise _Stop
        if stored[(level, index)] != value:
            verdict.fail(f"seq {last_leaf}: {where} does not match its children", last_leaf)
            raise _Stop
    verdict.nodes += len(expected)


def _check_node_count(verdict: LogVerdict, log_id: str, size: int) -> None:
    # Every node inside [0, size) was compared; a surplus means rows that belong to no leaf.
    terms = [Q(level=level, index__lt=size >> level) for level in range(1, size.bit_length())]
    if not terms:
        return
    inside = TreeNode.objects.filter(functools.reduce(operator.or_, terms), log_id=log_id).count()
    expected = size - bin(size).count("1")
    if inside != expected:
        verdict.fail(f"{inside} subtree hashes are stored for {size} entries; expected {expected}")


def verify_ledger(log_id: str | None = None, **kwargs) -> list[LogVerdict]:
    """Verify one log, or every log in log id order. ``kwargs`` go to ``verify_log``."""
    if log_id is not None:
        return [verify_log(log_id, **kwargs)]
    log_ids = list(Log.objects.order_by("log_id").values_list("log_id", flat=True))
    return [verify_log(each, **kwargs) for each in log_ids]
