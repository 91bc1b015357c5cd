"""Test keys: answered exactly like live keys, recorded apart in the partner's test log."""

from __future__ import annotations

import datetime as dt

import pytest

from auditsvc.ingestion.models import AccessEvent, DailyAccessCount, EnrolmentSession
from auditsvc.ledger.models import BUREAU_LOG_ID, LedgerEntry, Log
from partners.services.credentials import credential_issue
from tests import factories
from tests.conftest import bearer_client

from .support import (
    ACCESS_URL,
    SESSIONS_URL,
    access_event,
    assert_receipt_verifies,
    close_url,
    entry_body,
    post,
    session_body,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def test_client(vetted_partner):
    return bearer_client(factories.issue_partner_key(vetted_partner, test=True))


def test_a_test_keys_records_go_to_the_partners_test_log(
    test_client, partner_client, vetted_partner, now
):
    session = post(test_client, SESSIONS_URL, session_body(now)).json()
    answer = post(test_client, ACCESS_URL, {"events": [access_event(now, session=session["id"])]})

    assert answer.status_code == 201
    [result] = answer.json()["results"]
    assert result["status"] == "recorded"
    assert result["violations"] == []
    assert result["receipt"]["log"] == session["receipt"]["log"] == f"{vetted_partner.code}T"
    assert_receipt_verifies(result["receipt"])
    assert not Log.objects.filter(pk=vetted_partner.code).exists()
    assert AccessEvent.objects.get().test is True
    # The partner's software may read its test log's receipts with either key.
    receipt = result["receipt"]
    for client in (test_client, partner_client):
        url = f"/api/v1/receipts/{receipt['log']}/{receipt['seq']}"
        assert client.get(url).status_code == 200


def test_the_answers_have_the_same_shape_as_live_ones(test_client, partner_client, now):
    live = post(partner_client, ACCESS_URL, {"events": [access_event(now)]})
    test = post(test_client, ACCESS_URL, {"events": [access_event(now)]})

    assert live.status_code == test.status_code == 201
    [live_result], [test_result] = live.json()["results"], test.json()["results"]
    assert live_result.keys() == test_result.keys()
    assert live_result["receipt"].keys() == test_result["receipt"].keys()
    assert live_result["violations"] == test_result["violations"]
    # The same client id in both: two separate records, neither a duplicate of the other.
    assert live_result["status"] == test_result["status"] == "recorded"
    assert AccessEvent.objects.count() == 2


def test_a_test_key_is_refused_what_a_live_key_is_refused(test_client, now):
    bad = access_event(now, resident={"scheme": "cn-resident-id", "value": "411381195003071234"})

    response = post(test_client, ACCESS_URL, {"events": [bad]})

    assert response.status_code == 400
    assert not AccessEvent.objects.exists()


def test_test_records_never_count_toward_the_live_daily_cap(
    test_client, partner_client, vetted_partner, now
):
    vetted_partner.authorisations.update(daily_cap_per_agent=2)
    at = now - dt.timedelta(minutes=5)
    post(test_client, ACCESS_URL, {"events": [access_event(at, n) for n in range(1, 4)]})

    [live] = post(partner_client, ACCESS_URL, {"events": [access_event(at, 9)]}).json()["results"]

    assert "daily_cap_exceeded" not in live["violations"]
    counts = dict(DailyAccessCount.objects.filter(agent_code="A-0001").values_list("test", "count"))
    assert counts == {True: 3, False: 1}


def test_a_test_access_cannot_lean_on_a_live_session(test_client, partner_client, now):
    live_session = post(partner_client, SESSIONS_URL, session_body(now)).json()

    [result] = post(
        test_client, ACCESS_URL, {"events": [access_event(now, session=live_session["id"])]}
    ).json()["results"]
    closing = post(
        test_client,
        close_url(live_session["id"]),
        {"closed_at": now.isoformat(), "outcome": "completed"},
    )

    assert "no_open_session" in result["violations"]
    assert closing.status_code == 404
    assert EnrolmentSession.objects.get().closed_at is None


def test_issuing_a_test_key_says_so_in_the_bureau_log(vetted_partner, staff):
    credential, key = credential_issue(vetted_partner, actor=staff, label="sandbox", test=True)

    assert key.startswith("ask_test_")
    assert credential.is_test and credential.prefix.startswith("ask_test_")
    entry = LedgerEntry.objects.filter(log_id=BUREAU_LOG_ID, kind="credential.issued").get()
    assert entry_body(entry)["test"] is True
    assert key not in entry.canonical


def _shape(response) -> tuple:
    """An answer with what differs between logs (receipts, ids) blanked out."""

    def blank(value, key=None):
        if key in ("receipt", "id"):
            return "*"
        if isinstance(value, dict):
            return {k: blank(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [blank(v) for v in value]
        return value

    return response.status_code, response["Content-Type"], blank(response.json())


def test_every_answer_to_a_test_key_is_the_answer_to_a_live_key(test_client, partner_client, now):
    at = now - dt.timedelta(minutes=2)
    steps = [
        (SESSIONS_URL, session_body(at)),
        (SESSIONS_URL, session_body(at)),  # resent: the same answer
        (SESSIONS_URL, session_body(at, purpose="info_update")),  # conflict
        (ACCESS_URL, {"events": [access_event(at, 1), access_event(at, 2)]}),
        (ACCESS_URL, {"events": [access_event(at, 1), access_event(at, 3)]}),  # one duplicate
        (ACCESS_URL, {"events": [access_event(at, 1, fields=["name"])]}),  # conflict
        (ACCESS_URL, {"events": [access_event(at, 4, purpose="?")]}),  # malformed
        (ACCESS_URL, {"events": [access_event(at, 5, occurred_at="9999-12-31T23:59:59-23:59")]}),
        ("/api/v1/account-events", {"events": []}),  # wrong kind of partner
        ("/api/v1/nothing", {}),
    ]

    live = [_shape(post(partner_client, url, body)) for url, body in steps]
    test = [_shape(post(test_client, url, body)) for url, body in steps]

    assert test == live
    assert [status for status, *_ in live] == [201, 201, 409, 201, 201, 409, 400, 400, 403, 404]
