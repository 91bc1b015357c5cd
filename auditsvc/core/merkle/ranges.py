"""Range proofs of export bundles: the subtrees around a run of leaves, and the root they rebuild.

A bundle holds the leaves ``a..b`` of a log and the maximal aligned subtrees
covering ``[0, a)`` and ``[b + 1, N)``; together they rebuild the root of the
tree of size N, which a signed checkpoint commits to. Imports nothing from
Django: the offline verifier uses it.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from ..canonical import b64decode_strict
from .hashing import EMPTY_ROOT, HASH_SIZE, NodeIndex, ProofError, check_hashes, node_hash
from .tree import check_size, decompose, fold

_sha256 = hashlib.sha256

__all__ = [
    "CompactRange",
    "node_from_json",
    "node_to_json",
    "range_cover",
    "root_from_compact_range",
    "root_from_range",
]


def range_cover(a: int, b: int, size: int) -> list[NodeIndex]:
    """Return the maximal aligned subtrees covering leaves [0, a) and [b + 1, size), left to right.

    With the leaf hashes of a..b they rebuild the root of the tree of ``size``
    (``root_from_range``). ``b = a - 1`` (no leaves) is allowed: the cover
    then spans the whole tree.
    """
    for name, value in (("a", a), ("size", size)):
        check_size(name, value)
    if type(b) is not int or not a <= b + 1 <= size:
        raise ValueError(f"need 0 <= a <= b + 1 <= size, got a={a}, b={b}, size={size}")
    return decompose(0, a) + decompose(b + 1, size)


def _describe(indexes: Sequence[NodeIndex]) -> str:
    return ", ".join(f"(start {i << k}, size {1 << k})" for k, i in indexes) or "none"


class CompactRange:
    """The RFC 6962 hashes of consecutive leaves from ``start``, in O(log n) memory.

    Holds the maximal aligned perfect subtrees of ``[start, end)`` (the
    "compact range" of transparency-dev's merkle package): appending a leaf
    merges it with the subtrees it completes, so a million leaves can be
    streamed through without keeping them. ``root_from_compact_range`` then
    rebuilds a tree's root from it and a range proof's nodes.
    """

    def __init__(self, start: int) -> None:
        check_size("start", start)
        self.start = self.end = start
        self._nodes: list[tuple[int, int, bytes]] = []  # (level, index, hash), left to right

    def append(self, leaf_hash: bytes) -> None:
        """Add the leaf hash of leaf ``end``."""
        if not isinstance(leaf_hash, bytes) or len(leaf_hash) != HASH_SIZE:
            raise ProofError(f"leaf {self.end} is not a {HASH_SIZE}-byte hash")
        nodes, start = self._nodes, self.start
        level, index, value = 0, self.end, leaf_hash
        # A right child whose left sibling lies inside the range: that sibling is the
        # last node held (the subtree just before it, as large as alignment allows).
        while index & 1 and (index - 1) << level >= start:
            value = _sha256(b"\x01" + nodes.pop()[2] + value).digest()
            level += 1
            index >>= 1
        nodes.append((level, index, value))
        self.end += 1

    def extend(self, leaf_hashes: bytes) -> None:
        """Add the leaf hashes of leaves ``end, end + 1, ...``, given end to end in one bytes.

        The same nodes as ``append`` for each, but merged a level at a time:
        the verifier folds a million leaves this way, and one comprehension
        per level costs a third of a Python loop per leaf.
        """
        if not isinstance(leaf_hashes, bytes) or len(leaf_hashes) % HASH_SIZE:
            raise ProofError(f"leaf hashes must be whole {HASH_SIZE}-byte hashes end to end")
        row = [leaf_hashes[i : i + HASH_SIZE] for i in range(0, len(leaf_hashes), HASH_SIZE)]
        nodes, start = self._nodes, self.start
        level, index = 0, self.end
        right_edge = []  # subtrees left unpaired at the end of a level, lowest level first
        while row:
            if index & 1:
                if (index - 1) << level >= start:
                    # The left sibling is held: it is the last node, as in append.
                    row.insert(0, nodes.pop()[2])
                    index -= 1
                else:
                    # Its sibling lies before start: a node of the range's left edge.
                    nodes.append((level, index, row.pop(0)))
                    index += 1
            if len(row) & 1:
                right_edge.append((level, index + len(row) - 1, row.pop()))
            row = [_sha256(b"\x01" + row[i] + row[i + 1]).digest() for i in range(0, len(row), 2)]
            level += 1
            index >>= 1
        nodes.extend(reversed(right_edge))
        self.end += len(leaf_hashes) // HASH_SIZE

    def nodes(self) -> dict[NodeIndex, bytes]:
        """The subtrees ``decompose(start, end)`` with their hashes."""
        return {(level, index): value for level, index, value in self._nodes}


def root_from_compact_range(
    leaves: CompactRange, size: int, nodes: Mapping[NodeIndex, bytes]
) -> bytes:
    """Rebuild the root of the tree of ``size`` from a compact range and its cover.

    ``nodes`` must hold exactly the subtrees ``range_cover(start, end - 1, size)``
    (an extra or missing node raises ``ProofError``, so a bundle cannot smuggle
    in hashes that replace its own leaves).
    """
    if type(size) is not int:
        raise ProofError(f"size must be an integer, not {size!r}")
    a, b = leaves.start, leaves.end - 1
    try:
        expected = range_cover(a, b, size)
    except ValueError as exc:
        raise ProofError(str(exc)) from None
    if set(nodes) != set(expected):
        missing = sorted(set(expected) - set(nodes))
        extra = sorted(set(nodes) - set(expected))
        raise ProofError(
            f"range proof nodes do not cover [0, {a}) and [{b + 1}, {size}) exactly: "
            f"missing {_describe(missing)}, unexpected {_describe(extra)}"
        )
    check_hashes("range proof node", list(nodes.values()))
    if size == 0:
        return EMPTY_ROOT
    known = {**nodes, **leaves.nodes()}

    def subtree(level: int, index: int) -> bytes:
        value = known.get((level, index))
        if value is not None:
            return value
        # Unreachable with an exact cover, which the check above ensures.
        if level == 0:
            raise ProofError(f"leaf {index} is neither in the range nor covered")
        # The subtree straddles an edge of the leaf range: split it.
        return node_hash(subtree(level - 1, 2 * index), subtree(level - 1, 2 * index + 1))

    return fold([subtree(level, index) for level, index in decompose(0, size)])


def root_from_range(
    a: int, leaf_hashes: Sequence[bytes], size: int, nodes: Mapping[NodeIndex, bytes]
) -> bytes:
    """Rebuild the root of the tree of ``size`` from consecutive leaves and their cover.

    ``leaf_hashes`` are the leaf hashes of leaves ``a, a + 1, ..., b``;
    ``nodes`` must hold exactly the subtrees ``range_cover(a, b, size)`` (an
    extra or missing node raises ``ProofError``, so a bundle cannot smuggle in
    hashes that replace its own leaves). Compare the result with a signed
    checkpoint's root to prove the leaves are exactly those of the log.
    """
    if type(a) is not int or type(size) is not int:
        raise ProofError(f"a and size must be integers, not {a!r} and {size!r}")
    if a < 0:
        raise ProofError(f"need 0 <= a, got a={a}")
    leaves = CompactRange(a)
    for leaf in leaf_hashes:
        leaves.append(leaf)
    return root_from_compact_range(leaves, size, nodes)


def node_to_json(index: NodeIndex, hash_: bytes) -> dict[str, Any]:
    """Return a stored subtree as proof.json writes it: ``{"start", "size", "hash"}``.

    ``start`` is index * 2**level, ``size`` is 2**level, ``hash`` is base64.
    """
    level, position = index
    return {
        "start": position << level,
        "size": 1 << level,
        "hash": base64.b64encode(hash_).decode("ascii"),
    }


def node_from_json(obj: Mapping[str, Any]) -> tuple[NodeIndex, bytes]:
    """Parse ``{"start", "size", "hash"}`` into ``((level, index), hash)``.

    Raises ``ProofError`` unless size is a power of two, start a non-negative
    multiple of it and hash the base64 of 32 bytes.
    """
    if not isinstance(obj, Mapping) or set(obj) != {"start", "size", "hash"}:
        raise ProofError(f"a range proof node needs exactly start, size and hash: {obj!r}")
    start, size = obj["start"], obj["size"]
    if type(start) is not int or type(size) is not int or start < 0 or size < 1:
        raise ProofError(f"range proof node start/size must be integers >= 0/1: {obj!r}")
    if size & (size - 1) or start % size:
        raise ProofError(f"range proof node is not an aligned power-of-two subtree: {obj!r}")
    try:
        value = b64decode_strict(obj["hash"])
    except ValueError as exc:
        raise ProofError(f"range proof node hash: {exc}") from None
    if len(value) != HASH_SIZE:
        raise ProofError(f"range proof node hash is {len(value)} bytes, not {HASH_SIZE}")
    level = size.bit_length() - 1
    return (level, start >> level), value
