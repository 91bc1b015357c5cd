"""POST /api/v1/sessions and /api/v1/sessions/<id>/close."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from auditsvc.ingestion.kinds import IngestionKind
from auditsvc.ingestion.models import EnrolmentSession
from partners.auth import PARTNER_KEY_PREFIX
from tests import factories
from tests.conftest import bearer_client

from .support import (
    OTHER_RESIDENT,
    SESSIONS_URL,
    assert_receipt_verifies,
    close_url,
    entry_body,
    post,
    problem_errors,
    records_count,
    resident,
    session_body,
)


def test_it_opens_a_session_and_returns_a_verifiable_receipt(partner_client, vetted_partner, now):
    response = post(partner_client, SESSIONS_URL, session_body(now))

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "client_session_id", "receipt", "violations"}
    assert body["client_session_id"] == "s-1"
    assert body["violations"] == []
    assert set(body["receipt"]) == {"log", "seq", "leaf_hash", "signature", "key_id"}
    assert body["receipt"]["log"] == vetted_partner.code

    session = EnrolmentSession.objects.get(pk=body["id"])
    assert session.partner == vetted_partner
    assert session.agent.code == "A-0001"
    assert (session.id_region_code, session.birth_year) == ("411381", 1950)
    assert session.opened_at == now
    entry = assert_receipt_verifies(body["receipt"])
    assert entry.kind == IngestionKind.SESSION_OPENED
    assert session.ledger_entry == entry
    signed = entry_body(entry)
    assert signed["session"] == body["id"]
    assert signed["identity_ref"] == session.identity_ref
    assert signed["opened_at"] == now.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def test_it_returns_the_original_answer_when_a_session_is_resent(partner_client, now):
    first = post(partner_client, SESSIONS_URL, session_body(now))
    size = records_count()

    again = post(partner_client, SESSIONS_URL, session_body(now))

    assert again.status_code == 201  # DESIGN.md: always 201
    assert again.json() == first.json()
    assert records_count() == size


def test_it_refuses_a_session_id_reused_for_another_resident(partner_client, now):
    first = post(partner_client, SESSIONS_URL, session_body(now))
    size = records_count()

    again = post(partner_client, SESSIONS_URL, session_body(now, resident=resident(OTHER_RESIDENT)))

    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    body = again.json()
    assert body["code"] == "idempotency_conflict"
    [error] = body["errors"]
    assert error["field"] == "client_session_id"
    assert error["differs"] == ["resident"]
    assert error["receipt"] == first.json()["receipt"]
    assert OTHER_RESIDENT not in again.content.decode()
    assert records_count() == size


def test_it_closes_a_session(partner_client, now):
    opened = post(partner_client, SESSIONS_URL, session_body(now - dt.timedelta(hours=1))).json()

    response = post(
        partner_client,
        close_url(opened["id"]),
        {"closed_at": now.isoformat(), "outcome": "completed"},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["id"] == opened["id"]
    assert body["outcome"] == "completed"
    entry = assert_receipt_verifies(body["receipt"])
    assert entry.kind == IngestionKind.SESSION_CLOSED
    assert body["receipt"]["seq"] == opened["receipt"]["seq"] + 1
    session = EnrolmentSession.objects.get(pk=opened["id"])
    assert (session.closed_at, session.outcome, session.close_entry) == (now, "completed", entry)


def test_it_answers_a_resent_close_with_the_original_receipt(partner_client, now):
    opened = post(partner_client, SESSIONS_URL, session_body(now - dt.timedelta(hours=1))).json()
    close = {"closed_at": now.isoformat(), "outcome": "abandoned"}
    first = post(partner_client, close_url(opened["id"]), close)
    size = records_count()

    again = post(partner_client, close_url(opened["id"]), close)

    assert again.status_code == 201  # DESIGN.md: always 201
    assert again.json() == first.json()
    assert records_count() == size


def test_it_refuses_to_close_a_session_twice_differently(partner_client, now):
    opened = post(partner_client, SESSIONS_URL, session_body(now - dt.timedelta(hours=1))).json()
    post(
        partner_client,
        close_url(opened["id"]),
        {"closed_at": now.isoformat(), "outcome": "completed"},
    )
    size = records_count()

    response = post(
        partner_client,
        close_url(opened["id"]),
        {"closed_at": now.isoformat(), "outcome": "abandoned"},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "session_already_closed"
    assert records_count() == size


def test_it_refuses_a_close_before_the_session_opened(partner_client, now):
    opened = post(partner_client, SESSIONS_URL, session_body(now)).json()
    size = records_count()

    response = post(
        partner_client,
        close_url(opened["id"]),
        {"closed_at": (now - dt.timedelta(hours=1)).isoformat(), "outcome": "completed"},
    )

    assert problem_errors(response) == {("closed_at", "invalid_datetime")}
    assert records_count() == size


@pytest.mark.parametrize("session_id", ["5d0c8c4e-2f4b-4f7e-9a51-0c6a4f0e9b11", "not-a-uuid"])
def test_it_answers_404_for_an_unknown_session(partner_client, now, session_id):
    response = post(
        partner_client,
        close_url(session_id),
        {"closed_at": now.isoformat(), "outcome": "completed"},
    )

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "session_not_found"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"resident": resident("11010519491231002Y")}, {("resident.value", "invalid_format")}),
        ({"resident": resident("110105194912310021")}, {("resident.value", "invalid_checksum")}),
        ({"resident": resident("110105194902300028")}, {("resident.value", "invalid_birth_date")}),
        (
            {"resident": {"scheme": "passport", "value": "E1234"}},
            {("resident.scheme", "unknown_scheme")},
        ),
        ({"purpose": "marketing"}, {("purpose", "invalid_choice")}),
        ({"region_code": "4113"}, {("region_code", "invalid_region_code")}),
        ({"region_code": "991381"}, {("region_code", "invalid_region_code")}),
        ({"agent": ""}, {("agent", "invalid_format")}),
        ({"agent": 7}, {("agent", "invalid_type")}),
        ({"device": ""}, {("device", "invalid_format")}),
        ({"opened_at": "2026-11-23T09:30:00"}, {("opened_at", "invalid_datetime")}),
        ({"colour": "red"}, {("colour", "unknown_field")}),
        ({"client_session_id": "has space"}, {("client_session_id", "invalid_format")}),
    ],
)
def test_it_refuses_a_malformed_session(partner_client, now, change, expected):
    response = post(partner_client, SESSIONS_URL, session_body(now, **change))

    assert problem_errors(response) == expected
    assert records_count() == 0


def test_it_refuses_a_session_in_the_future(partner_client):
    later = timezone.now() + dt.timedelta(minutes=6)

    response = post(partner_client, SESSIONS_URL, session_body(later))

    assert problem_errors(response) == {("opened_at", "in_future")}


def test_it_lists_every_missing_field(partner_client):
    response = post(partner_client, SESSIONS_URL, {})

    assert problem_errors(response) == {
        (field, "required")
        for field in (
            "client_session_id",
            "agent",
            "resident",
            "purpose",
            "region_code",
            "device",
            "opened_at",
        )
    }


def test_it_refuses_an_account_platform(platform_client, now):
    response = post(platform_client, SESSIONS_URL, session_body(now))

    assert response.status_code == 403
    assert response.json()["code"] == "wrong_partner_kind"
    assert records_count() == 0


def test_it_refuses_a_staff_token(auditor_client, now):
    response = post(auditor_client, SESSIONS_URL, session_body(now))

    assert response.status_code == 403
    assert response.json()["code"] == "partner_key_required"
    assert records_count() == 0


def test_it_refuses_a_missing_or_unknown_key(client, db, now):
    missing = client.post(SESSIONS_URL, session_body(now), content_type="application/json")
    assert missing.status_code == 401
    assert missing.json()["code"] == "not_authenticated"
    unknown = bearer_client(PARTNER_KEY_PREFIX + "x" * 43)
    response = post(unknown, SESSIONS_URL, session_body(now))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_it_refuses_a_revoked_key(vetted_partner, now):
    key = factories.issue_partner_key(vetted_partner)
    vetted_partner.credentials.update(revoked_at=timezone.now())

    response = post(bearer_client(key), SESSIONS_URL, session_body(now))

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert records_count() == 0


def test_it_cannot_close_another_partners_session(partner_client, other_partner_client, now):
    opened = post(partner_client, SESSIONS_URL, session_body(now - dt.timedelta(hours=1))).json()

    response = post(
        other_partner_client,
        close_url(opened["id"]),
        {"closed_at": now.isoformat(), "outcome": "completed"},
    )

    assert response.status_code == 404
    assert EnrolmentSession.objects.get(pk=opened["id"]).closed_at is None
