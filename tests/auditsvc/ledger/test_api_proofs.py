"""The public ledger endpoints: keys, checkpoints and proofs that verify offline."""

from __future__ import annotations

import base64

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from auditsvc.core import keys as core_keys
from auditsvc.core import merkle, notes
from auditsvc.ledger.checkpoints import checkpoint_sign

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def client(relaxed_throttle) -> APIClient:
    """An anonymous API client (shadows pytest-django's: these endpoints are API only)."""
    return APIClient()


@pytest.fixture
def log(append):
    """Log T0001 with a checkpoint at 6 entries and one at 13."""
    leaves = [bytes(e.leaf_hash) for e in append("T0001", 6)]
    checkpoint_sign("T0001")
    leaves += [bytes(e.leaf_hash) for e in append("T0001", 7)]
    checkpoint_sign("T0001")
    return leaves


def b64decode(values: list[str]) -> list[bytes]:
    return [base64.b64decode(value) for value in values]


def pinned_verifiers(client: APIClient) -> list[core_keys.VerifierKey]:
    keys = client.get("/api/v1/keys").json()["keys"]
    return [core_keys.VerifierKey.from_string(key["verifier_key"]) for key in keys]


def checkpoint_at(client: APIClient) -> notes.Checkpoint:
    response = client.get("/api/v1/logs/T0001/checkpoint")
    text, _ = notes.open_note(response.content.decode(), pinned_verifiers(client))
    return notes.parse_checkpoint(text)


def test_the_keys_are_public_and_complete(client, log, signing_key, settings):
    response = client.get("/api/v1/keys")

    assert response.status_code == 200
    [key] = response.json()["keys"]
    assert key["key_id"] == signing_key.key_id
    assert key["name"] == settings.AUDITSVC_ORIGIN
    assert key["algorithm"] == "ed25519"
    assert base64.b64decode(key["public_key"]) == signing_key.public_key
    assert key["verifier_key"] == signing_key.verifier_string()
    assert key["valid_from"]
    assert key["retired_at"] is None


def test_a_public_endpoint_ignores_credentials_even_wrong_ones(client, log):
    client.credentials(HTTP_AUTHORIZATION="Bearer ask_not-a-real-key")

    assert client.get("/api/v1/keys").status_code == 200
    assert client.get("/api/v1/logs/T0001/checkpoint").status_code == 200


def test_the_checkpoint_is_the_newest_signed_note_as_plain_text(client, log, settings):
    response = client.get("/api/v1/logs/T0001/checkpoint", HTTP_ACCEPT="text/plain")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text, signers = notes.open_note(response.content.decode(), pinned_verifiers(client))
    assert signers == [settings.AUDITSVC_ORIGIN]
    checkpoint = notes.parse_checkpoint(text)
    assert checkpoint.origin == f"{settings.AUDITSVC_ORIGIN}/T0001"
    assert checkpoint.size == 13


def test_a_log_without_checkpoint_is_a_404_problem(client, append):
    append("T0002", 1)

    for url in ("/api/v1/logs/T0002/checkpoint", "/api/v1/logs/P9999/checkpoint"):
        response = client.get(url, HTTP_ACCEPT="text/plain")
        assert response.status_code == 404
        assert response["Content-Type"] == PROBLEM
        assert response.json()["code"] == "not_found"


def test_every_inclusion_proof_verifies_against_the_checkpoint(client, log):
    checkpoint = checkpoint_at(client)

    for seq in range(checkpoint.size):
        response = client.get(f"/api/v1/logs/T0001/inclusion?seq={seq}&size={checkpoint.size}")
        assert response.status_code == 200
        body = response.json()
        assert (body["seq"], body["size"]) == (seq, 13)
        merkle.verify_inclusion(log[seq], seq, 13, b64decode(body["proof"]), checkpoint.root)


def test_an_inclusion_proof_does_not_verify_for_another_leaf(client, log):
    checkpoint = checkpoint_at(client)
    body = client.get("/api/v1/logs/T0001/inclusion?seq=2&size=13").json()

    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(log[3], 2, 13, b64decode(body["proof"]), checkpoint.root)


def test_the_consistency_proof_links_the_two_checkpoints(client, log):
    # The auditor's own copy of the older head: recomputed from its 6 leaves.
    old_root = _root_of(log[:6])
    new = checkpoint_at(client)

    response = client.get("/api/v1/logs/T0001/consistency?from=6&to=13")

    assert response.status_code == 200
    body = response.json()
    assert (body["from"], body["to"]) == (6, 13)
    merkle.verify_consistency(6, 13, old_root, new.root, b64decode(body["proof"]))


def _root_of(leaves: list[bytes]) -> bytes:
    reader = merkle.DictHashReader()
    reader.update(merkle.stored_hashes_for_append(0, leaves, reader))
    return merkle.tree_hash(len(leaves), reader)


def test_equal_sizes_have_an_empty_consistency_proof(client, log):
    body = client.get("/api/v1/logs/T0001/consistency?from=13&to=13").json()

    assert body == {"from": 13, "to": 13, "proof": []}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("inclusion?seq=abc&size=3", "seq"),
        ("inclusion?size=3", "seq"),
        ("inclusion?seq=1", "size"),
        ("inclusion?seq=1&size=0", "size"),
        ("inclusion?seq=-1&size=3", "seq"),
        ("inclusion?seq=1&size=14", "size"),
        ("inclusion?seq=13&size=13", "seq"),
        ("consistency?from=0&to=3", "from"),
        ("consistency?from=x&to=3", "from"),
        ("consistency?from=5&to=4", "from"),
        ("consistency?from=1&to=99", "to"),
        ("consistency?from=1", "to"),
    ],
)
def test_a_bad_query_parameter_is_a_400_problem_naming_it(client, log, query, field):
    response = client.get(f"/api/v1/logs/T0001/{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert field in [error["field"] for error in response.json()["errors"]]


def test_proofs_of_an_unknown_log_are_404(client, db):
    assert client.get("/api/v1/logs/P9999/inclusion?seq=0&size=1").status_code == 404
    assert client.get("/api/v1/logs/P9999/consistency?from=1&to=1").status_code == 404


def test_a_log_id_that_is_not_letters_and_digits_does_not_route(client, db):
    assert client.get("/api/v1/logs/P-1/checkpoint").status_code == 404


def test_the_public_endpoints_are_throttled_per_address(settings, log):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
        # Per day: the counter is a fixed window, and a per-minute one can reset mid-test.
        | {"anon": "2/day"},
    }
    cache.clear()  # the day's counter of this address may hold other tests' requests
    client = APIClient()

    statuses = [client.get("/api/v1/keys").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_the_schema_documents_the_ledger_endpoints(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/keys",
        "/api/v1/logs/{log_id}/checkpoint",
        "/api/v1/logs/{log_id}/inclusion",
        "/api/v1/logs/{log_id}/consistency",
        "/api/v1/receipts/{log_id}/{seq}",
    ):
        assert path in paths, path
    inclusion = paths["/api/v1/logs/{log_id}/inclusion"]["get"]
    assert {p["name"] for p in inclusion["parameters"]} >= {"log_id", "seq", "size"}
    assert (
        "text/plain"
        in paths["/api/v1/logs/{log_id}/checkpoint"]["get"]["responses"]["200"]["content"]
    )
