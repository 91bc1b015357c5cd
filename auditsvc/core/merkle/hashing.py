"""RFC 6962 hashing: leaf and interior node hashes, the empty root, and the proof error.

Imports nothing from Django: the offline verifier uses it too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "NodeIndex",
    "ProofError",
    "check_hashes",
    "leaf_hash",
    "node_hash",
]

HASH_SIZE = 32

#: The root of the empty tree: SHA-256 of no bytes (RFC 6962 section 2.1).
EMPTY_ROOT = hashlib.sha256(b"").digest()

#: ``(level, index)``: the perfect subtree over leaves [index * 2**level, (index + 1) * 2**level).
NodeIndex = tuple[int, int]

_sha256 = hashlib.sha256


class ProofError(ValueError):
    """A Merkle proof, or the data it is checked against, does not hold."""


def leaf_hash(data: bytes) -> bytes:
    """Return the RFC 6962 leaf hash SHA-256(0x00 || data)."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 6962 interior node hash SHA-256(0x01 || left || right)."""
    return _sha256(b"\x01" + left + right).digest()


def check_hashes(what: str, hashes: Sequence[bytes]) -> None:
    """Raise ``ProofError`` unless every item of ``hashes`` is a 32-byte ``bytes``."""
    for position, value in enumerate(hashes):
        if not isinstance(value, bytes) or len(value) != HASH_SIZE:
            raise ProofError(f"{what} hash {position} is not a {HASH_SIZE}-byte hash")
