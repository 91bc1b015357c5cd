"""Stored-hash Merkle trees against a naive RFC 6962 reference implementation."""

from __future__ import annotations

import base64
import hashlib
import itertools
import random
from functools import cache

import pytest

from auditsvc.core.merkle import (
    EMPTY_ROOT,
    CompactRange,
    DictHashReader,
    ProofError,
    leaf_hash,
    node_from_json,
    node_hash,
    node_to_json,
    prove_consistency,
    prove_inclusion,
    range_cover,
    root_from_range,
    stored_hashes_for_append,
    tree_hash,
    verify_consistency,
    verify_inclusion,
)

# The inputs of the RFC 6962 reference tree used by Certificate Transparency's tests.
REFERENCE_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
REFERENCE_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

SMALL = 70
BIG = 1000
LEAVES = [leaf_hash(f"entry {i}".encode()) for i in range(BIG)]


# -- the naive reference: RFC 6962 section 2.1, straight from the text ---------


def _k(n):
    return 1 << ((n - 1).bit_length() - 1)


@cache
def mth(lo, hi):
    """MTH(D[lo:hi]) over LEAVES, recursively."""
    if hi - lo == 1:
        return LEAVES[lo]
    k = _k(hi - lo)
    return node_hash(mth(lo, lo + k), mth(lo + k, hi))


def naive_root(size):
    return EMPTY_ROOT if size == 0 else mth(0, size)


def naive_path(m, lo, hi):
    """PATH(m, D[lo:hi]), m absolute."""
    if hi - lo == 1:
        return []
    k = _k(hi - lo)
    if m < lo + k:
        return [*naive_path(m, lo, lo + k), mth(lo + k, hi)]
    return [*naive_path(m, lo + k, hi), mth(lo, lo + k)]


def naive_subproof(m, lo, hi, whole):
    """SUBPROOF(m, D[lo:hi], b), m relative to lo."""
    n = hi - lo
    if m == n:
        return [] if whole else [mth(lo, hi)]
    k = _k(n)
    if m <= k:
        return [*naive_subproof(m, lo, lo + k, whole), mth(lo + k, hi)]
    return [*naive_subproof(m - k, lo + k, hi, False), mth(lo, lo + k)]


# -- a reader that counts and polices its reads ----------------------------------


class CountingReader:
    """Counts read_hashes calls and refuses hashes not yet complete at ``size``.

    The second check matters: the store holds the whole 1000-leaf tree, and a
    proof for a smaller tree that used a later hash would be wrong.
    """

    def __init__(self, store, size=None):
        self.store = store
        self.size = size
        self.calls = 0
        self.read = 0

    def read_hashes(self, indexes):
        self.calls += 1
        self.read += len(indexes)
        assert len(set(indexes)) == len(indexes), "asked twice for the same hash"
        if self.size is not None:
            for level, index in indexes:
                assert (index + 1) << level <= self.size, f"read {(level, index)} beyond size"
        return self.store.read_hashes(indexes)


def build(leaves, batch_sizes):
    """Append ``leaves`` in batches of the given sizes (cycled); return the store."""
    store = DictHashReader()
    size = 0
    for batch_size in itertools.cycle(batch_sizes):
        if size >= len(leaves):
            break
        batch = leaves[size : size + batch_size]
        reader = CountingReader(store, size)
        store.update(stored_hashes_for_append(size, batch, reader))
        assert reader.calls <= 1
        size += len(batch)
    return store


def one_at_a_time(leaves):
    return build(leaves, [1])


@pytest.fixture(scope="module")
def store():
    return build(LEAVES, [1, 2, 3, 5, 8, 13, 1, 64, 7, 100, 1, 1, 250])


def _log2(n):
    return max(1, n.bit_length())


# -- tests ---------------------------------------------------------------------------


def test_it_reproduces_the_rfc6962_reference_tree():
    leaves = [leaf_hash(data) for data in REFERENCE_LEAVES]
    store = one_at_a_time(leaves)
    for size, root in enumerate(REFERENCE_ROOTS, start=1):
        assert tree_hash(size, store).hex() == root
    assert tree_hash(8, store).hex().startswith("5dc9da79")


def test_the_empty_tree_hash_is_sha256_of_nothing():
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT
    assert tree_hash(0, DictHashReader()) == EMPTY_ROOT


def test_leaf_and_node_hashes_are_domain_separated():
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert (
        node_hash(b"l" * 32, b"r" * 32) == hashlib.sha256(b"\x01" + b"l" * 32 + b"r" * 32).digest()
    )


def test_tree_hash_matches_the_naive_root_at_every_size(store):
    for size in [*range(SMALL + 1), 127, 128, 129, 255, 256, 511, 512, 777, BIG]:
        reader = CountingReader(store, size)
        assert tree_hash(size, reader) == naive_root(size), size
        assert reader.calls == (1 if size else 0)
        assert reader.read == bin(size).count("1")


@pytest.mark.parametrize(
    "batch_sizes",
    [[1], [2], [3], [7, 1], [SMALL + 1], [1, 2, 4, 8, 16, 32], [5, 1, 1, 9]],
    ids=lambda sizes: "-".join(map(str, sizes)),
)
def test_the_stored_hashes_do_not_depend_on_how_leaves_were_batched(batch_sizes):
    leaves = LEAVES[: SMALL + 1]
    assert build(leaves, batch_sizes) == one_at_a_time(leaves)


def test_it_stores_about_two_hashes_per_leaf():
    for size in range(SMALL + 1):
        store = one_at_a_time(LEAVES[:size])
        # Every leaf, plus one interior node per merge of a binary counter.
        assert len(store) == 2 * size - bin(size).count("1")
    assert len(one_at_a_time(LEAVES)) < 2 * BIG


def test_stored_hashes_are_exactly_the_complete_aligned_subtrees(store):
    for (level, index), value in store.items():
        assert value == mth(index << level, (index + 1) << level)


@pytest.mark.parametrize("old_size", [0, 1, 2, 5, 37, 64, 500, 999])
def test_an_append_reads_old_hashes_once_and_only_along_the_right_edge(old_size):
    prefix = one_at_a_time(LEAVES[:old_size])
    for batch in [1, 2, 3, 100, BIG - old_size]:
        batch_leaves = LEAVES[old_size : old_size + batch]
        reader = CountingReader(prefix, old_size)
        added = stored_hashes_for_append(old_size, batch_leaves, reader)
        assert reader.calls <= 1
        assert reader.read <= bin(old_size).count("1")
        whole = one_at_a_time(LEAVES[: old_size + len(batch_leaves)])
        assert dict(added) == {k: v for k, v in whole.items() if k not in prefix}


def test_appending_one_leaf_to_an_even_tree_reads_nothing():
    store = one_at_a_time(LEAVES[:6])
    reader = CountingReader(store, 6)
    added = stored_hashes_for_append(6, [LEAVES[6]], reader)
    assert reader.calls == 0
    assert added == [((0, 6), LEAVES[6])]


def test_appending_nothing_stores_nothing():
    assert stored_hashes_for_append(5, [], CountingReader(DictHashReader())) == []


def test_it_refuses_a_leaf_hash_that_is_not_32_bytes():
    with pytest.raises(ValueError, match="not 32"):
        stored_hashes_for_append(0, [b"short"], DictHashReader())


def test_every_inclusion_proof_matches_the_rfc_and_verifies(store):
    for size in range(1, SMALL + 1):
        root = naive_root(size)
        for index in range(size):
            reader = CountingReader(store, size)
            proof = prove_inclusion(index, size, reader)
            assert proof == naive_path(index, 0, size)
            assert reader.calls == (1 if size > 1 else 0)
            verify_inclusion(LEAVES[index], index, size, proof, root)


def test_inclusion_proofs_in_a_big_tree_read_log_n_hashes_in_one_call(store):
    rng = random.Random(6962)
    for size in [BIG, 513, 512, 999]:
        root = naive_root(size)
        for index in [0, size - 1, size // 2, *rng.sample(range(size), 20)]:
            reader = CountingReader(store, size)
            proof = prove_inclusion(index, size, reader)
            assert reader.calls == 1
            assert reader.read <= 2 * _log2(size)
            assert proof == naive_path(index, 0, size)
            verify_inclusion(LEAVES[index], index, size, proof, root)


def test_every_consistency_proof_matches_the_rfc_and_verifies(store):
    for new_size in range(1, SMALL + 1):
        new_root = naive_root(new_size)
        for old_size in range(1, new_size + 1):
            reader = CountingReader(store, new_size)
            proof = prove_consistency(old_size, new_size, reader)
            assert proof == naive_subproof(old_size, 0, new_size, True)
            assert reader.calls == (0 if old_size == new_size else 1)
            verify_consistency(old_size, new_size, naive_root(old_size), new_root, proof)


def test_consistency_proofs_in_a_big_tree_read_log_n_hashes_in_one_call(store):
    rng = random.Random(9162)
    for _ in range(50):
        new_size = rng.randint(2, BIG)
        old_size = rng.randint(1, new_size - 1)
        reader = CountingReader(store, new_size)
        proof = prove_consistency(old_size, new_size, reader)
        assert reader.calls == 1
        assert reader.read <= 3 * _log2(new_size)
        assert proof == naive_subproof(old_size, 0, new_size, True)
        verify_consistency(old_size, new_size, naive_root(old_size), naive_root(new_size), proof)


def test_it_refuses_impossible_proof_requests(store):
    with pytest.raises(ValueError):
        prove_inclusion(5, 5, store)
    with pytest.raises(ValueError):
        prove_consistency(0, 5, store)
    with pytest.raises(ValueError):
        prove_consistency(6, 5, store)


def test_it_refuses_an_inclusion_proof_for_another_leaf_or_tree(store):
    size, index = 37, 11
    proof = prove_inclusion(index, size, store)
    root = naive_root(size)
    with pytest.raises(ProofError):
        verify_inclusion(LEAVES[index + 1], index, size, proof, root)
    with pytest.raises(ProofError):
        verify_inclusion(LEAVES[index], index + 1, size, proof, root)
    with pytest.raises(ProofError):
        verify_inclusion(LEAVES[index], index, size, proof, naive_root(size + 1))
    with pytest.raises(ProofError):
        verify_inclusion(LEAVES[index], index, size, proof[:-1], root)
    with pytest.raises(ProofError):
        verify_inclusion(LEAVES[index], index, size, [*proof, proof[0]], root)
    with pytest.raises(ProofError, match="32-byte"):
        verify_inclusion(LEAVES[index], index, size, [proof[0][:31], *proof[1:]], root)


def test_it_refuses_a_consistency_proof_for_a_rewritten_history(store):
    old_size, new_size = 21, 50
    proof = prove_consistency(old_size, new_size, store)
    forged_old_root = node_hash(naive_root(old_size), naive_root(old_size))
    with pytest.raises(ProofError, match="old root"):
        verify_consistency(old_size, new_size, forged_old_root, naive_root(new_size), proof)
    with pytest.raises(ProofError):
        verify_consistency(
            old_size, new_size, naive_root(old_size), naive_root(new_size - 1), proof
        )


def test_an_empty_tree_claim_must_carry_the_empty_root():
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    with pytest.raises(ProofError, match="empty tree"):
        verify_consistency(0, 0, b"\x01" * 32, b"\x01" * 32, [])


# -- range proofs -----------------------------------------------------------------


def _covered(nodes):
    return [leaf for level, index in nodes for leaf in range(index << level, (index + 1) << level)]


def test_range_cover_is_the_fewest_aligned_subtrees_outside_the_range():
    for size in range(SMALL + 1):
        for a in range(size + 1):
            for b in range(a - 1, size):
                nodes = range_cover(a, b, size)
                assert _covered(nodes) == [*range(a), *range(b + 1, size)]
                for level, index in nodes:
                    # Maximal: the parent would leave its part ([0, a) or [b + 1, size)).
                    parent_start = (index >> 1) << (level + 1)
                    parent_end = parent_start + (2 << level)
                    if index << level < a:
                        assert parent_end > a
                    else:
                        assert parent_start < b + 1 or parent_end > size


def test_range_proofs_rebuild_the_root_for_every_small_range(store):
    for size in range(SMALL // 2):
        root = naive_root(size)
        for a in range(size + 1):
            for b in range(a - 1, size):
                nodes = dict(zip(range_cover(a, b, size), _read(store, a, b, size), strict=True))
                assert root_from_range(a, LEAVES[a : b + 1], size, nodes) == root


def _read(store, a, b, size):
    reader = CountingReader(store, size)
    hashes = reader.read_hashes(range_cover(a, b, size))
    assert reader.read <= 2 * _log2(size)
    return hashes


def test_range_proofs_rebuild_the_root_in_a_big_tree(store):
    rng = random.Random(8785)
    for _ in range(40):
        size = rng.randint(1, BIG)
        a = rng.randint(0, size - 1)
        b = rng.randint(a, min(size - 1, a + 300))
        nodes = dict(zip(range_cover(a, b, size), _read(store, a, b, size), strict=True))
        assert root_from_range(a, LEAVES[a : b + 1], size, nodes) == naive_root(size)


def test_a_range_proof_refuses_a_changed_missing_or_extra_leaf(store):
    size, a, b = 45, 10, 20
    nodes = dict(zip(range_cover(a, b, size), _read(store, a, b, size), strict=True))
    root = naive_root(size)
    tampered = list(LEAVES[a : b + 1])
    tampered[3] = LEAVES[0]
    assert root_from_range(a, tampered, size, nodes) != root
    # One leaf dropped at the end: the cover no longer fits, so it is refused.
    with pytest.raises(ProofError, match="missing"):
        root_from_range(a, LEAVES[a:b], size, nodes)
    with pytest.raises(ProofError, match="unexpected"):
        root_from_range(a, LEAVES[a : b + 1], size, {**nodes, (0, 0): LEAVES[0]})


def test_range_nodes_round_trip_through_json():
    index, value = (3, 5), LEAVES[7]
    as_json = node_to_json(index, value)
    assert as_json == {"start": 40, "size": 8, "hash": base64.b64encode(value).decode()}
    assert node_from_json(as_json) == (index, value)


@pytest.mark.parametrize(
    "obj",
    [
        {"start": 3, "size": 2, "hash": base64.b64encode(b"x" * 32).decode()},
        {"start": 0, "size": 3, "hash": base64.b64encode(b"x" * 32).decode()},
        {"start": -4, "size": 4, "hash": base64.b64encode(b"x" * 32).decode()},
        {"start": 0, "size": 0, "hash": base64.b64encode(b"x" * 32).decode()},
        {"start": 0, "size": 1, "hash": base64.b64encode(b"x" * 31).decode()},
        {"start": 0, "size": 1, "hash": "not base64!"},
        {"start": 0, "size": 1},
        {"start": True, "size": 1, "hash": base64.b64encode(b"x" * 32).decode()},
    ],
    ids=[
        "unaligned",
        "not-power-of-two",
        "negative",
        "zero-size",
        "short-hash",
        "bad-base64",
        "no-hash",
        "bool-start",
    ],
)
def test_it_refuses_malformed_range_nodes(obj):
    with pytest.raises(ProofError):
        node_from_json(obj)


def test_a_compact_range_holds_the_stored_subtrees_between_its_ends(store):
    for start in range(SMALL):
        compact = CompactRange(start)
        for end in range(start + 1, SMALL + 1):
            compact.append(LEAVES[end - 1])
            expected = _decompose(start, end)
            assert compact.nodes() == dict(zip(expected, store.read_hashes(expected), strict=True))


@pytest.mark.parametrize("pieces", [1, 2, 5])
def test_extending_a_compact_range_holds_what_appending_holds(pieces):
    # Every start, every length, cut into pieces: the nodes (and their order) must match.
    rnd = random.Random(pieces)
    for start in range(SMALL):
        for end in range(start, SMALL + 1):
            appended, extended = CompactRange(start), CompactRange(start)
            for leaf in LEAVES[start:end]:
                appended.append(leaf)
            cuts = sorted(rnd.randint(start, end) for _ in range(pieces - 1))
            for lo, hi in itertools.pairwise([start, *cuts, end]):
                extended.extend(b"".join(LEAVES[lo:hi]))
            assert extended._nodes == appended._nodes
            assert extended.end == appended.end == end


@pytest.mark.parametrize("value", [b"\x00" * 33, "0" * 64, [LEAVES[0]]])
def test_extend_refuses_anything_but_whole_hashes(value):
    compact = CompactRange(3)
    with pytest.raises(ProofError, match="whole 32-byte hashes"):
        compact.extend(value)
    assert compact.end == 3 and compact.nodes() == {}


def _decompose(lo, hi):
    # The maximal aligned subtrees of [lo, hi), found the slow way.
    nodes = []
    while lo < hi:
        level = 0
        while lo % (2 << level) == 0 and lo + (2 << level) <= hi:
            level += 1
        nodes.append((level, lo >> level))
        lo += 1 << level
    return nodes
