"""RFC 6962 Merkle trees over stored perfect-subtree hashes: planning, appending, roots.

Each ledger log is an RFC 6962 (Certificate Transparency) Merkle tree. As
leaves are appended, the hash of every complete, aligned, perfect subtree is
stored, as Go's ``golang.org/x/mod/sumdb/tlog`` does: about two hashes per
leaf. A stored hash is addressed by ``(level, index)``: the subtree covering
leaves ``[index * 2**level, (index + 1) * 2**level)``; level 0 holds the leaf
hashes. Every hash that RFC 6962 defines (a root at any size, the nodes of an
inclusion or consistency proof) is the right-to-left fold of at most
O(log n) stored hashes, so nothing here ever rehashes the log.

Functions that need stored hashes take a ``HashReader`` and plan every index
they need before asking for all of them in one batched ``read_hashes`` call
(the server answers it with one SQL query).

Imports nothing from Django: the offline verifier uses it too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

from .hashing import EMPTY_ROOT, HASH_SIZE, NodeIndex, node_hash

__all__ = [
    "DictHashReader",
    "HashReader",
    "check_size",
    "decompose",
    "fold",
    "range_hashes",
    "read_all",
    "split_point",
    "stored_hashes_for_append",
    "tree_hash",
]

_sha256 = hashlib.sha256


class HashReader(Protocol):
    """Where stored subtree hashes are read from."""

    def read_hashes(self, indexes: Sequence[NodeIndex]) -> list[bytes]:
        """Return the stored hashes at ``indexes``, in the same order, in one batched read.

        Must raise (not return fewer hashes) when one of them is not stored.
        """
        ...


class DictHashReader(dict[NodeIndex, bytes]):
    """A ``HashReader`` over an in-memory dict ``{(level, index): hash}``.

    Used by tests and the offline verifier. ``reader.update(stored_hashes_for_append(...))``
    stores a batch.
    """

    def read_hashes(self, indexes: Sequence[NodeIndex]) -> list[bytes]:
        """Return the hashes at ``indexes``; ``KeyError`` names the first one missing."""
        try:
            return [self[index] for index in indexes]
        except KeyError as exc:
            raise KeyError(f"stored hash {exc.args[0]} is missing") from None


# -- planning: which stored hashes make up which RFC 6962 subtree --------------


def decompose(lo: int, hi: int) -> list[NodeIndex]:
    """The maximal aligned perfect subtrees covering leaves [lo, hi), left to right."""
    nodes = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        if lo:
            # lo & -lo is the largest power of two dividing lo: the biggest aligned block there.
            level = min(level, (lo & -lo).bit_length() - 1)
        nodes.append((level, lo >> level))
        lo += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """Combine the hashes of a range's maximal subtrees into its RFC 6962 hash.

    RFC 6962 splits a range at the largest power of two below its size, so the
    left part is always the first perfect subtree: folding from the right
    reproduces MTH for any range that starts on a boundary as large as itself
    (which every node of the tree and of its proofs does).
    """
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def split_point(n: int) -> int:
    """The largest power of two strictly less than n (n > 1): where RFC 6962 splits."""
    return 1 << ((n - 1).bit_length() - 1)


def read_all(reader: HashReader, indexes: Sequence[NodeIndex]) -> dict[NodeIndex, bytes]:
    unique = list(dict.fromkeys(indexes))
    if not unique:
        return {}
    hashes = reader.read_hashes(unique)
    if len(hashes) != len(unique):
        raise LookupError(f"read_hashes returned {len(hashes)} hashes for {len(unique)} indexes")
    return dict(zip(unique, hashes, strict=True))


def range_hashes(ranges: Sequence[tuple[int, int]], reader: HashReader) -> list[bytes]:
    """The RFC 6962 hashes of the given leaf ranges, from one batched read."""
    plans = [decompose(lo, hi) for lo, hi in ranges]
    stored = read_all(reader, [index for plan in plans for index in plan])
    return [fold([stored[index] for index in plan]) for plan in plans]


def check_size(name: str, value: int) -> None:
    if type(value) is not int or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, not {value!r}")


# -- writing -----------------------------------------------------------------


def stored_hashes_for_append(
    old_size: int, new_leaf_hashes: Sequence[bytes], reader: HashReader
) -> list[tuple[NodeIndex, bytes]]:
    """Return every stored hash completed by appending leaves to the tree of ``old_size``.

    The result lists ``((level, index), hash)`` pairs, level 0 (the new leaf
    hashes themselves) included, each leaf followed by the subtrees it
    completes. The left-edge subtrees of the old tree that the new leaves
    combine with are read in one ``read_hashes`` call (at most one per level;
    none at all when no old subtree is completed).
    """
    check_size("old_size", old_size)
    if not new_leaf_hashes:
        return []
    new_size = old_size + len(new_leaf_hashes)

    # The old tree's right edge is its maximal subtrees, one per set bit of
    # old_size. Only those whose parent the batch completes are needed, and
    # that set grows from level 0 upwards, so stop at the first one not needed.
    needed = []
    for level in range(old_size.bit_length()):
        if (old_size >> level) & 1:
            index = (old_size >> level) - 1
            if (index + 2) << level > new_size:
                break
            needed.append((level, index))
    stored = read_all(reader, needed)

    # frontier[level] is the newest complete subtree at that level: the left
    # sibling of the next right child formed there, as in a binary counter.
    frontier = {level: stored[(level, index)] for level, index in needed}
    out: list[tuple[NodeIndex, bytes]] = []
    append = out.append
    position = old_size
    for current in new_leaf_hashes:
        if len(current) != HASH_SIZE:
            raise ValueError(f"leaf hash for leaf {position} is {len(current)} bytes, not 32")
        append(((0, position), current))
        level = 0
        index = position
        while index & 1:
            current = _sha256(b"\x01" + frontier[level] + current).digest()
            level += 1
            index >>= 1
            append(((level, index), current))
        frontier[level] = current
        position += 1
    return out


# -- reading -----------------------------------------------------------------


def tree_hash(size: int, reader: HashReader) -> bytes:
    """Return the RFC 6962 root of the tree's first ``size`` leaves (``EMPTY_ROOT`` for 0).

    Reads the at most log2(size) + 1 maximal subtrees of [0, size) in one call.
    """
    check_size("size", size)
    if size == 0:
        return EMPTY_ROOT
    return range_hashes([(0, size)], reader)[0]
