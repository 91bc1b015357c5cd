"""Bearer authentication of the API: partner keys and staff tokens, unknown and revoked ones."""

from __future__ import annotations

import pytest

from auditsvc.ledger.models import BUREAU_LOG_ID
from auditsvc.ledger.services import ledger_append
from partners.services.credentials import (
    credential_issue,
    credential_revoke,
    staff_token_issue,
    staff_token_revoke,
)
from partners.services.vetting import vetting_suspend
from tests.conftest import bearer_client


@pytest.fixture
def bureau_entry(vetted_partner, staff):
    """Something in the bureau log (suspending writes an entry) to read back."""
    return vetting_suspend(vetted_partner, actor=staff, reason="test").ledger_seq


@pytest.fixture
def own_entry(vetted_partner):
    """An entry in the partner's own log."""
    return ledger_append(
        vetted_partner.log_id,
        "session.opened",
        {"note": "test entry"},
    ).seq


def _assert_unauthorised(response):
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response["Content-Type"].startswith("application/problem+json")


def test_an_issued_partner_key_authenticates(vetted_partner, staff, own_entry):
    _, key = credential_issue(vetted_partner, actor=staff, label="app")
    response = bearer_client(key).get(f"/api/v1/receipts/{vetted_partner.log_id}/{own_entry}")
    assert response.status_code == 200
    assert response.json()["entry"]["seq"] == own_entry


def test_a_revoked_partner_key_gets_401(vetted_partner, staff, own_entry):
    credential, key = credential_issue(vetted_partner, actor=staff, label="app")
    credential_revoke(credential, actor=staff, reason="leaked")

    response = bearer_client(key).get(f"/api/v1/receipts/{vetted_partner.log_id}/{own_entry}")

    _assert_unauthorised(response)


@pytest.mark.parametrize(
    "key",
    ["ask_" + "x" * 43, "ast_" + "x" * 43, "no-prefix-at-all", "ask_"],
    ids=["unknown-partner-key", "unknown-staff-token", "unknown-shape", "bare-prefix"],
)
def test_an_unknown_key_gets_401(db, key):
    _assert_unauthorised(bearer_client(key).get("/api/v1/receipts/bureau/0"))


def test_no_key_at_all_gets_401(client, db):
    _assert_unauthorised(client.get("/api/v1/receipts/bureau/0"))


def test_a_staff_token_authenticates_as_its_user(auditor, bureau_entry):
    _, token = staff_token_issue(auditor, label="laptop")
    response = bearer_client(token).get(f"/api/v1/receipts/{BUREAU_LOG_ID}/{bureau_entry}")
    assert response.status_code == 200
    assert response.json()["entry"]["kind"] == "partner.vetting"


def test_a_revoked_staff_token_gets_401(auditor, staff, bureau_entry):
    token_row, token = staff_token_issue(auditor, label="laptop")
    staff_token_revoke(token_row, actor=staff)

    _assert_unauthorised(bearer_client(token).get(f"/api/v1/receipts/bureau/{bureau_entry}"))


def test_a_token_of_a_deactivated_user_gets_401(auditor, bureau_entry):
    _, token = staff_token_issue(auditor, label="laptop")
    auditor.is_active = False
    auditor.save()
    _assert_unauthorised(bearer_client(token).get(f"/api/v1/receipts/bureau/{bureau_entry}"))
