"""GET /api/v1/receipts/<log>/<seq>: a signed entry, for its partner, staff and auditors."""

from __future__ import annotations

import base64

import pytest

from auditsvc.core import keys as core_keys
from auditsvc.core import merkle
from auditsvc.core.canonical import canonical_bytes
from auditsvc.ledger.models import BUREAU_LOG_ID, PublishedKey
from auditsvc.ledger.services import ledger_append
from tests import factories
from tests.conftest import bearer_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("relaxed_throttle")]


@pytest.fixture
def partner_log(vetted_partner, append):
    return append(vetted_partner.code, 3)


@pytest.fixture
def other_log(other_partner, append):
    return append(other_partner.code, 2)


def test_a_partner_reads_its_own_signed_entry(partner_client, vetted_partner, partner_log):
    response = partner_client.get(f"/api/v1/receipts/{vetted_partner.code}/1")

    assert response.status_code == 200
    record = response.json()
    assert record["entry"]["log"] == vetted_partner.code
    assert record["entry"]["seq"] == 1
    leaf = merkle.leaf_hash(canonical_bytes(record["entry"]))
    assert leaf.hex() == record["leaf_hash"] == bytes(partner_log[1].leaf_hash).hex()
    key = PublishedKey.objects.get(pk=record["key_id"])
    verifier = core_keys.VerifierKey.from_string(key.verifier_key)
    assert core_keys.verify_entry(verifier, leaf, base64.b64decode(record["signature"]))


def test_a_partner_cannot_read_another_partners_log(
    partner_client, other_partner, partner_log, other_log
):
    existing = partner_client.get(f"/api/v1/receipts/{other_partner.code}/0")
    missing = partner_client.get(f"/api/v1/receipts/{other_partner.code}/99")
    bureau = partner_client.get(f"/api/v1/receipts/{BUREAU_LOG_ID}/0")

    # The same 404 whether the entry exists or not: nothing leaks.
    assert existing.status_code == missing.status_code == bureau.status_code == 404
    assert existing.json()["detail"] == missing.json()["detail"].replace("99", "0")
    assert existing.json()["code"] == "not_found"


def test_an_auditor_reads_any_log(
    auditor_client, vetted_partner, other_partner, partner_log, other_log
):
    ledger_append(BUREAU_LOG_ID, "partner.vetting", {"to": "approved"})

    for log_id, seq in ((vetted_partner.code, 2), (other_partner.code, 1), (BUREAU_LOG_ID, 0)):
        response = auditor_client.get(f"/api/v1/receipts/{log_id}/{seq}")
        assert response.status_code == 200
        assert (response.json()["entry"]["log"], response.json()["entry"]["seq"]) == (log_id, seq)


def test_bureau_staff_read_any_log(staff, vetted_partner, partner_log):
    client = bearer_client(factories.issue_test_token(staff))

    assert client.get(f"/api/v1/receipts/{vetted_partner.code}/0").status_code == 200


def test_a_token_without_ledger_permission_is_refused(db, vetted_partner, partner_log):
    nobody = factories.UserFactory(username="no-roles")
    client = bearer_client(factories.issue_test_token(nobody))

    response = client.get(f"/api/v1/receipts/{vetted_partner.code}/0")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_a_missing_entry_is_404(auditor_client, vetted_partner, partner_log):
    assert auditor_client.get(f"/api/v1/receipts/{vetted_partner.code}/3").status_code == 404
    assert auditor_client.get("/api/v1/receipts/P9999/0").status_code == 404


def test_receipts_need_credentials(client, vetted_partner, partner_log):
    response = client.get(f"/api/v1/receipts/{vetted_partner.code}/0")

    assert response.status_code == 401


def test_a_revoked_partner_key_is_refused(vetted_partner, partner_log):
    client = bearer_client("ask_revoked-or-unknown-key")

    assert client.get(f"/api/v1/receipts/{vetted_partner.code}/0").status_code == 401
