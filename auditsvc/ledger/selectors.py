"""The read path of the signed ledger: roots, proofs and entries from stored hashes.

Every root and proof is computed from O(log n) stored hashes (leaf hashes in
``LedgerEntry``, perfect subtrees of level >= 1 in ``TreeNode``), read in at
most two queries, never by rehashing the log. Sizes are bounded by the log
head's committed ``size``: the head moves in the same transaction as the
entries and subtree hashes it covers, so every hash a size below it needs is
there.
"""

from __future__ import annotations

import functools
import operator
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Q

from auditsvc.base.errors import NotFound
from auditsvc.core import merkle

from .errors import ProofUnavailable
from .models import LedgerEntry, Log, PublishedKey, SignedCheckpoint, TreeNode

__all__ = [
    "DatabaseHashReader",
    "MissingHash",
    "consistency_proof",
    "entry_get",
    "inclusion_proof",
    "latest_checkpoint",
    "log_get",
    "log_root",
    "published_keys",
    "range_nodes",
]


class MissingHash(LookupError):
    """A stored hash that should exist does not: the ledger tables are damaged."""


class DatabaseHashReader:
    """``merkle.HashReader`` over the database: level 0 from LedgerEntry, the rest from TreeNode.

    One ``read_hashes`` call is at most two queries, whatever the number of
    hashes asked for.
    """

    def __init__(self, log_id: str) -> None:
        self.log_id = log_id

    def read_hashes(self, indexes: Sequence[merkle.NodeIndex]) -> list[bytes]:
        """Return the stored hashes at ``indexes`` in order; ``MissingHash`` if one is absent."""
        leaves = [index for level, index in indexes if level == 0]
        by_level: dict[int, list[int]] = defaultdict(list)
        for level, index in indexes:
            if level:
                by_level[level].append(index)
        found: dict[merkle.NodeIndex, bytes] = {}
        if leaves:
            rows = LedgerEntry.objects.filter(log_id=self.log_id, seq__in=leaves).values_list(
                "seq", "leaf_hash"
            )
            found.update(((0, seq), bytes(value)) for seq, value in rows)
        if by_level:
            wanted = functools.reduce(
                operator.or_,
                (Q(level=level, index__in=idx) for level, idx in sorted(by_level.items())),
            )
            rows = TreeNode.objects.filter(wanted, log_id=self.log_id).values_list(
                "level", "index", "hash"
            )
            found.update(((level, index), bytes(value)) for level, index, value in rows)
        try:
            return [found[index] for index in indexes]
        except KeyError as exc:
            level, index = exc.args[0]
            raise MissingHash(
                f"log {self.log_id}: stored hash at level {level}, index {index} is missing"
            ) from None


def log_get(log_id: str) -> Log:
    """Return the head of log ``log_id``, or raise ``NotFound``."""
    log = Log.objects.filter(pk=log_id).first()
    if log is None:
        raise NotFound(f"There is no log {log_id!r}.")
    return log


def _check_int(name: str, value: int, minimum: int) -> None:
    if type(value) is not int or value < minimum:
        raise ProofUnavailable(f"{name} must be an integer >= {minimum}.", field=name)


def _check_size(log: Log, name: str, size: int, minimum: int = 0) -> None:
    _check_int(name, size, minimum)
    if size > log.size:
        raise ProofUnavailable(
            f"{name}={size} is beyond the log: log {log.log_id} has {log.size} entries.",
            field=name,
        )


def log_root(log_id: str, size: int) -> bytes:
    """Return the RFC 6962 root hash of the first ``size`` entries of log ``log_id``."""
    log = log_get(log_id)
    _check_size(log, "size", size)
    return merkle.tree_hash(size, DatabaseHashReader(log_id))


def inclusion_proof(log_id: str, seq: int, size: int) -> list[bytes]:
    """Return the inclusion proof of entry ``seq`` in the tree of ``size`` (leaf to root)."""
    log = log_get(log_id)
    _check_int("seq", seq, 0)
    _check_size(log, "size", size, minimum=1)
    if seq >= size:
        raise ProofUnavailable(
            f"seq={seq} is not in the tree of size {size} (seqs run from 0 to {size - 1}).",
            field="seq",
        )
    return merkle.prove_inclusion(seq, size, DatabaseHashReader(log_id))


def consistency_proof(log_id: str, old_size: int, new_size: int) -> list[bytes]:
    """Return the consistency proof from the tree of ``old_size`` to that of ``new_size``.

    ``1 <= old_size <= new_size <= log size``; equal sizes give an empty proof.
    A proof from size 0 proves nothing (every tree extends the empty one) and
    is refused, as RFC 9162 verifiers refuse it.
    """
    log = log_get(log_id)
    _check_int("from", old_size, 1)
    _check_size(log, "to", new_size, minimum=1)
    if old_size > new_size:
        raise ProofUnavailable(f"from={old_size} is larger than to={new_size}.", field="from")
    return merkle.prove_consistency(old_size, new_size, DatabaseHashReader(log_id))


def range_nodes(log_id: str, a: int, b: int, size: int) -> list[tuple[merkle.NodeIndex, bytes]]:
    """Return the stored subtrees covering entries [0, a) and [b + 1, size), left to right.

    With the leaf hashes of entries a..b they rebuild the root of the tree of
    ``size`` (``merkle.root_from_range``): the range proof of export bundles.
    """
    log = log_get(log_id)
    _check_size(log, "size", size)
    _check_int("a", a, 0)
    if type(b) is not int or not a <= b + 1 <= size:
        raise ProofUnavailable(
            f"need 0 <= a <= b + 1 <= size, got a={a}, b={b}, size={size}.", field="b"
        )
    cover = merkle.range_cover(a, b, size)
    return list(zip(cover, DatabaseHashReader(log_id).read_hashes(cover), strict=True))


def latest_checkpoint(log_id: str) -> SignedCheckpoint:
    """Return the newest stored checkpoint of log ``log_id`` (largest size, then latest signed).

    Raises ``NotFound`` if the log has none yet.
    """
    checkpoint = (
        SignedCheckpoint.objects.filter(log_id=log_id)
        .order_by("-size", "-signed_at", "-id")
        .first()
    )
    if checkpoint is None:
        raise NotFound(f"Log {log_id!r} has no signed checkpoint yet.")
    return checkpoint


def entry_get(log_id: str, seq: int) -> LedgerEntry:
    """Return entry ``seq`` of log ``log_id``, or raise ``NotFound``."""
    entry = LedgerEntry.objects.filter(log_id=log_id, seq=seq).first()
    if entry is None:
        raise NotFound(f"Log {log_id!r} has no entry {seq}.")
    return entry


def published_keys() -> list[PublishedKey]:
    """Every published public key, retired ones included (verifiers find keys by key_id)."""
    return list(PublishedKey.objects.order_by("valid_from", "key_id"))
