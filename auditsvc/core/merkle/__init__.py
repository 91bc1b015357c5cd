"""RFC 6962 Merkle trees: hashing, tree maintenance, proofs, proof checks and range proofs.

One module per job, re-exported here so callers write ``merkle.tree_hash``:

- ``hashing``: leaf and node hashes, the empty root, ``ProofError``;
- ``tree``: stored perfect-subtree hashes (``HashReader``), appending, roots;
- ``proofs``: inclusion and consistency proofs from stored hashes;
- ``verify``: checking those proofs (RFC 9162);
- ``ranges``: the range proofs of export bundles.

Imports nothing from Django: the offline verifier uses it too.
"""

from .hashing import EMPTY_ROOT, HASH_SIZE, NodeIndex, ProofError, leaf_hash, node_hash
from .proofs import prove_consistency, prove_inclusion
from .ranges import (
    CompactRange,
    node_from_json,
    node_to_json,
    range_cover,
    root_from_compact_range,
    root_from_range,
)
from .tree import DictHashReader, HashReader, stored_hashes_for_append, tree_hash
from .verify import verify_consistency, verify_inclusion

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "CompactRange",
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
    "root_from_compact_range",
    "root_from_range",
    "stored_hashes_for_append",
    "tree_hash",
    "verify_consistency",
    "verify_inclusion",
]
