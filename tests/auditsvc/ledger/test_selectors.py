"""The ledger's read path: roots and proofs from stored hashes, with clear errors."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from auditsvc.base.errors import NotFound
from auditsvc.core import merkle
from auditsvc.ledger.errors import ProofUnavailable
from auditsvc.ledger.selectors import (
    DatabaseHashReader,
    MissingHash,
    consistency_proof,
    entry_get,
    inclusion_proof,
    latest_checkpoint,
    log_root,
    range_nodes,
)

from .support import naive_root

pytestmark = pytest.mark.django_db

SIZE = 27


@pytest.fixture
def leaves(append):
    return [bytes(entry.leaf_hash) for entry in append("T0001", SIZE, batch=5)]


def test_every_inclusion_proof_verifies_against_the_root(leaves):
    for size in range(1, SIZE + 1):
        root = log_root("T0001", size)
        assert root == naive_root(leaves[:size])
        for seq in range(size):
            proof = inclusion_proof("T0001", seq, size)
            merkle.verify_inclusion(leaves[seq], seq, size, proof, root)


def test_every_consistency_proof_verifies_between_the_roots(leaves):
    roots = {size: log_root("T0001", size) for size in range(1, SIZE + 1)}
    for old in range(1, SIZE + 1):
        for new in range(old, SIZE + 1):
            proof = consistency_proof("T0001", old, new)
            merkle.verify_consistency(old, new, roots[old], roots[new], proof)


def test_a_range_proof_rebuilds_the_root(leaves):
    for a, b in [(0, SIZE - 1), (3, 9), (8, 15), (26, 26), (5, 4)]:
        nodes = dict(range_nodes("T0001", a, b, SIZE))
        rebuilt = merkle.root_from_range(a, leaves[a : b + 1], SIZE, nodes)
        assert rebuilt == naive_root(leaves)


def test_the_hash_reader_reads_any_number_of_hashes_in_two_queries(leaves):
    reader = DatabaseHashReader("T0001")
    wanted = [(0, 3), (1, 2), (0, 26), (3, 1), (4, 0), (0, 0)]

    with CaptureQueriesContext(connection) as queries:
        hashes = reader.read_hashes(wanted)

    assert len(queries) == 2
    assert hashes[0] == leaves[3]
    assert hashes[1] == naive_root(leaves[4:6])
    assert hashes[3] == naive_root(leaves[8:16])
    assert hashes[4] == naive_root(leaves[:16])


def test_the_hash_reader_says_which_hash_is_missing(leaves):
    with pytest.raises(MissingHash, match="level 4, index 1"):
        DatabaseHashReader("T0001").read_hashes([(0, 1), (4, 1)])


def test_an_unknown_log_is_not_found(db):
    with pytest.raises(NotFound):
        log_root("P9999", 0)
    with pytest.raises(NotFound):
        inclusion_proof("P9999", 0, 1)
    with pytest.raises(NotFound):
        entry_get("P9999", 0)


@pytest.mark.parametrize(
    ("seq", "size", "field"),
    [(0, SIZE + 1, "size"), (SIZE, SIZE, "seq"), (-1, 3, "seq"), (0, 0, "size")],
)
def test_an_impossible_inclusion_proof_names_the_bad_argument(leaves, seq, size, field):
    with pytest.raises(ProofUnavailable) as raised:
        inclusion_proof("T0001", seq, size)
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [(0, 5, "from"), (6, 5, "from"), (1, SIZE + 1, "to")],
)
def test_an_impossible_consistency_proof_names_the_bad_argument(leaves, old, new, field):
    with pytest.raises(ProofUnavailable) as raised:
        consistency_proof("T0001", old, new)
    assert raised.value.field == field


def test_a_root_beyond_the_log_is_refused(leaves):
    with pytest.raises(ProofUnavailable, match="beyond the log"):
        log_root("T0001", SIZE + 1)


def test_a_range_beyond_the_log_is_refused(leaves):
    with pytest.raises(ProofUnavailable):
        range_nodes("T0001", 3, SIZE, SIZE)


def test_a_log_without_checkpoint_has_no_latest_one(leaves):
    with pytest.raises(NotFound, match="no signed checkpoint"):
        latest_checkpoint("T0001")
