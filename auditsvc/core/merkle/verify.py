"""Checking RFC 6962 inclusion and consistency proofs (RFC 9162 sections 2.1.3.2 and 2.1.4.2).

Each function returns nothing when the proof holds and raises ``ProofError``
saying why otherwise. Imports nothing from Django: the offline verifier uses it.
"""

from __future__ import annotations

from collections.abc import Sequence

from .hashing import EMPTY_ROOT, HASH_SIZE, ProofError, check_hashes, node_hash

__all__ = ["verify_consistency", "verify_inclusion"]


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
    check_hashes("inclusion proof", proof)

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
    check_hashes("consistency proof", proof)

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
