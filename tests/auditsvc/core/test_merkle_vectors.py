"""The standard RFC 6962 proof vectors (transparency-dev/merkle): accept good, refuse the rest."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from auditsvc.core.merkle import ProofError, verify_consistency, verify_inclusion

VECTORS = Path(__file__).resolve().parents[2] / "testdata" / "merkle"
CASES = sorted(VECTORS.rglob("*.json"))


def _hash(value):
    # Missing or null fields mean empty, as in the Go test harness that made the vectors.
    return base64.b64decode(value or "")


def _proof(values):
    return [_hash(value) for value in values or []]


def _check(case):
    if "leafIdx" in case:
        verify_inclusion(
            _hash(case.get("leafHash")),
            case["leafIdx"],
            case["treeSize"],
            _proof(case.get("proof")),
            _hash(case.get("root")),
        )
    else:
        verify_consistency(
            case["size1"],
            case["size2"],
            _hash(case.get("root1")),
            _hash(case.get("root2")),
            _proof(case.get("proof")),
        )


def test_the_vectors_are_all_there():
    assert len(CASES) == 196
    assert sum(json.loads(path.read_text())["wantErr"] is False for path in CASES) == 12


@pytest.mark.parametrize("path", CASES, ids=[str(path.relative_to(VECTORS)) for path in CASES])
def test_it_accepts_exactly_the_valid_proofs(path):
    case = json.loads(path.read_text())
    if case["wantErr"]:
        with pytest.raises(ProofError):
            _check(case)
    else:
        _check(case)
