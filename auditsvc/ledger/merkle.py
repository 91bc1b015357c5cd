"""RFC 6962 Merkle trees over stored perfect-subtree hashes.

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

The ``verify_*`` functions follow RFC 9162 sections 2.1.3.2 and 2.1.4.2 and
raise ``ProofError`` when a proof does not hold. This module imports nothing
from Django: the offline verifier uses it too.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from auditsvc.ledger.canonical import b64decode_strict

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "DictHashReader",
    "HashReader",
    "NodeIndex",
    "ProofError",
    "leaf_hash",
    "node_from_json",
    "node_hash",
    "node_to_json",
    "prove_consistency",
    "prove_inclusion",
    "range_cover",
    "root_from_range",
    "stored_hashes_for_append",
    "tree_hash",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32

#: The root of the empty tree: SHA-256 of no bytes (RFC 6962 section 2.1).
EMPTY_ROOT = hashlib.sha256(b"").digest()

#: ``(level, index)``: the perfect subtree over leaves [index * 2**level, (index + 1) * 2**level).
NodeIndex = tuple[int, int]

_sha256 = hashlib.sha256


class ProofError(ValueError):
    """A Merkle proof, or the data it is checked against, does not hold."""


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


def leaf_hash(data: bytes) -> bytes:
    """Return the RFC 6962 leaf hash SHA-256(0x00 || data)."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 6962 interior node hash SHA-256(0x01 || left || right)."""
    return _sha256(b"\x01" + left + right).digest()


# -- planning: which stored hashes make up which RFC 6962 subtree --------------


def _decompose(lo: int, hi: int) -> list[NodeIndex]:
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


def _fold(hashes: Sequence[bytes]) -> bytes:
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


def _split(n: int) -> int:
    """The largest power of two strictly less than n (n > 1): where RFC 6962 splits."""
    return 1 << ((n - 1).bit_length() - 1)


def _read(reader: HashReader, indexes: Sequence[NodeIndex]) -> dict[NodeIndex, bytes]:
    unique = list(dict.fromkeys(indexes))
    if not unique:
        return {}
    hashes = reader.read_hashes(unique)
    if len(hashes) != len(unique):
        raise LookupError(f"read_hashes returned {len(hashes)} hashes for {len(unique)} indexes")
    return dict(zip(unique, hashes, strict=True))


def _range_hashes(ranges: Sequence[tuple[int, int]], reader: HashReader) -> list[bytes]:
    """The RFC 6962 hashes of the given leaf ranges, from one batched read."""
    plans = [_decompose(lo, hi) for lo, hi in ranges]
    stored = _read(reader, [index for plan in plans for index in plan])
    return [_fold([stored[index] for index in plan]) for plan in plans]


def _check_size(name: str, value: int) -> None:
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
    _check_size("old_size", old_size)
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
    stored = _read(reader, needed)

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
    _check_size("size", size)
    if size == 0:
        return EMPTY_ROOT
    return _range_hashes([(0, size)], reader)[0]


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    # RFC 6962 section 2.1.1 PATH(m, D[n]), unrolled: the sibling range at
    # each split, collected root-first and returned leaf-first as the proof is.
    ranges = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()
    return ranges


def _consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    # RFC 6962 section 2.1.2 SUBPROOF(m, D[n], b), unrolled; m counts the
    # old tree's leaves inside the current range [lo, hi).
    ranges = []
    lo, hi, m, whole_old_tree = 0, new, old, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
            m -= k
            whole_old_tree = False
    if not whole_old_tree:
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


def prove_inclusion(index: int, size: int, reader: HashReader) -> list[bytes]:
    """Return the RFC 6962 inclusion proof (audit path) of leaf ``index`` in the tree of ``size``.

    The proof lists sibling hashes from the leaf up to the root. All stored
    hashes it needs, O(log size), are read in one ``read_hashes`` call.
    """
    _check_size("index", index)
    _check_size("size", size)
    if index >= size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    return _range_hashes(_inclusion_ranges(index, size), reader)


def prove_consistency(old_size: int, new_size: int, reader: HashReader) -> list[bytes]:
    """Return the RFC 6962 consistency proof between the trees of ``old_size`` and ``new_size``.

    Empty when the sizes are equal. ``old_size`` must be at least 1: every tree
    extends the empty one, so there is nothing to prove, and RFC 9162
    verifiers refuse such a proof. All stored hashes it needs, O(log
    new_size), are read in one ``read_hashes`` call.
    """
    _check_size("old_size", old_size)
    _check_size("new_size", new_size)
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size == new_size:
        return []
    return _range_hashes(_consistency_ranges(old_size, new_size), reader)


# -- verifying -----------------------------------------------------------------


def _check_hashes(what: str, hashes: Sequence[bytes]) -> None:
    for position, value in enumerate(hashes):
        if not isinstance(value, bytes) or len(value) != HASH_SIZE:
            raise ProofError(f"{what} hash {position} is not a {HASH_SIZE}-byte hash")


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf`` (a leaf hash) is leaf ``index`` of the tree of ``size`` with ``root``.

    Follows RFC 9162 section 2.1.3.2. Returns nothing when the proof holds and
    raises ``ProofError`` saying why otherwise.
    """
    if type(index) is not int or type(size) is not int or index < 0 or size < 0:
        raise ProofError(f"index and size must be non-negative integers ({index!r}, {size!r})")
    if index >= size:
        raise ProofError(f"leaf index {index} is not inside a tree of size {size}")
    if not isinstance(leaf, bytes) or len(leaf) != HASH_SIZE:
        raise ProofError(f"the leaf hash is not a {HASH_SIZE}-byte hash")
    _check_hashes("inclusion proof", proof)

    fn, sn = index, size - 1
    result = leaf
    for sibling in proof:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            # A last node with no right sibling moves up unchanged until it is a right child.
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the path to the root")
    if result != root:
        raise ProofError(f"inclusion proof does not lead to the root of the tree of size {size}")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of ``new_size`` with ``new_root`` extends the one of ``old_size``.

    Follows RFC 9162 section 2.1.4.2. Returns nothing when the proof holds and
    raises ``ProofError`` saying why otherwise. Equal sizes need an empty proof
    and equal roots. The empty tree's root is fixed (``EMPTY_ROOT``), so a
    claimed size-0 root is checked against it; a proof from size 0 is refused,
    since every tree trivially extends the empty tree.
    """
    for name, value in (("old_size", old_size), ("new_size", new_size)):
        if type(value) is not int or value < 0:
            raise ProofError(f"{name} must be a non-negative integer, not {value!r}")
    if new_size < old_size:
        raise ProofError(f"the new size {new_size} is smaller than the old size {old_size}")
    if old_size == new_size:
        if proof:
            raise ProofError("the sizes are equal, so the consistency proof must be empty")
        if old_root != new_root:
            raise ProofError(f"the sizes are equal ({old_size}) but the roots differ")
        if old_size == 0 and old_root != EMPTY_ROOT:
            raise ProofError("the root claimed for the empty tree is not SHA-256 of nothing")
        return
    if old_size == 0:
        raise ProofError("a consistency proof from the empty tree proves nothing; refused")
    if not proof:
        raise ProofError("the consistency proof is empty")
    _check_hashes("consistency proof", proof)

    path = list(proof)
    if old_size & (old_size - 1) == 0:
        # The old tree is a perfect subtree of the new one, so the proof
        # leaves its root out: it is the starting point.
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    old_result = new_result = path[0]
    for node in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than needed")
        if fn & 1 or fn == sn:
            old_result = node_hash(node, old_result)
            new_result = node_hash(node, new_result)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            new_result = node_hash(new_result, node)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than needed")
    if old_result != old_root:
        raise ProofError(f"consistency proof does not rebuild the old root (size {old_size})")
    if new_result != new_root:
        raise ProofError(f"consistency proof does not rebuild the new root (size {new_size})")


# -- range proofs (export bundles) ---------------------------------------------


def range_cover(a: int, b: int, size: int) -> list[NodeIndex]:
    """Return the maximal aligned subtrees covering leaves [0, a) and [b + 1, size), left to right.

    With the leaf hashes of a..b they rebuild the root of the tree of ``size``
    (``root_from_range``). ``b = a - 1`` (no leaves) is allowed: the cover
    then spans the whole tree.
    """
    for name, value in (("a", a), ("size", size)):
        _check_size(name, value)
    if type(b) is not int or not a <= b + 1 <= size:
        raise ValueError(f"need 0 <= a <= b + 1 <= size, got a={a}, b={b}, size={size}")
    return _decompose(0, a) + _decompose(b + 1, size)


def _describe(indexes: Sequence[NodeIndex]) -> str:
    return ", ".join(f"(start {i << k}, size {1 << k})" for k, i in indexes) or "none"


def _perfect_root(hashes: list[bytes]) -> bytes:
    # The root of a perfect subtree from its 2**k leaf hashes, one level at a time.
    while len(hashes) > 1:
        hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
    return hashes[0]


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
    leaves = list(leaf_hashes)
    b = a + len(leaves) - 1
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
    _check_hashes("range proof node", list(nodes.values()))
    _check_hashes("leaf", leaves)
    if size == 0:
        return EMPTY_ROOT

    def subtree(level: int, index: int) -> bytes:
        known = nodes.get((level, index))
        if known is not None:
            return known
        start = index << level
        end = start + (1 << level)
        if a <= start and end <= b + 1:
            return _perfect_root(leaves[start - a : end - a])
        # Unreachable with an exact cover, which the check above ensures.
        if level == 0:
            raise ProofError(f"leaf {start} is neither in the range nor covered")
        # The subtree straddles an edge of the leaf range: split it.
        return node_hash(subtree(level - 1, 2 * index), subtree(level - 1, 2 * index + 1))

    return _fold([subtree(level, index) for level, index in _decompose(0, size)])


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
