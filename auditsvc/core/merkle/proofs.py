"""RFC 6962 inclusion and consistency proofs, read from stored subtree hashes.

Imports nothing from Django: the offline verifier uses it too.
"""

from __future__ import annotations

from .tree import HashReader, check_size, range_hashes, split_point

__all__ = ["prove_consistency", "prove_inclusion"]


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    # RFC 6962 section 2.1.1 PATH(m, D[n]), unrolled: the sibling range at
    # each split, collected root-first and returned leaf-first as the proof is.
    ranges = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split_point(hi - lo)
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
        k = split_point(hi - lo)
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
    check_size("index", index)
    check_size("size", size)
    if index >= size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    return range_hashes(_inclusion_ranges(index, size), reader)


def prove_consistency(old_size: int, new_size: int, reader: HashReader) -> list[bytes]:
    """Return the RFC 6962 consistency proof between the trees of ``old_size`` and ``new_size``.

    Empty when the sizes are equal. ``old_size`` must be at least 1: every tree
    extends the empty one, so there is nothing to prove, and RFC 9162
    verifiers refuse such a proof. All stored hashes it needs, O(log
    new_size), are read in one ``read_hashes`` call.
    """
    check_size("old_size", old_size)
    check_size("new_size", new_size)
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size == new_size:
        return []
    return range_hashes(_consistency_ranges(old_size, new_size), reader)
