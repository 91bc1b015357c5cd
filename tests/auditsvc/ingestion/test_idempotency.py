"""Resending the same client ids returns the same receipts and records nothing twice.

Reusing an id for different content refuses the whole batch (409
``idempotency_conflict``, naming each conflicting record): DESIGN.md "API
conventions". Content is what is stored for the record, compared as stored
(fields as a set, instants in UTC), not the credential that sent it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from auditsvc.ingestion.models import AccessEvent, AccountEvent, DailyAccessCount
from auditsvc.ledger.models import LedgerEntry, Log
from tests import factories
from tests.conftest import bearer_client

from .support import (
    ACCESS_URL,
    ACCOUNT_URL,
    OTHER_RESIDENT,
    SESSIONS_URL,
    access_event,
    account_event,
    post,
    problem_errors,
    records_count,
    resident,
    session_body,
)


def conflicts(response) -> list[tuple[str, list[str]]]:
    """[(field, differs)] of a 409 idempotency conflict."""
    assert response.status_code == 409, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "idempotency_conflict"
    assert all(error["code"] == "idempotency_conflict" for error in body["errors"])
    return [(error["field"], error["differs"]) for error in body["errors"]]


def test_a_resent_batch_returns_the_same_receipts_and_records_nothing(
    partner_client, vetted_partner, now
):
    body = {"events": [access_event(now, i) for i in range(5)]}
    first = post(partner_client, ACCESS_URL, body)
    counts = list(
        DailyAccessCount.objects.values_list("agent_code", "count").order_by("agent_code")
    )
    size = records_count()

    again = post(partner_client, ACCESS_URL, body)

    assert first.status_code == 201
    assert again.status_code == 201  # DESIGN.md: always 201, status per record
    for before, after in zip(first.json()["results"], again.json()["results"], strict=True):
        assert after["client_event_id"] == before["client_event_id"]
        assert after["status"] == "duplicate"
        assert after["receipt"] == before["receipt"]
        assert after["violations"] == before["violations"]
    assert records_count() == size
    assert Log.objects.get(pk=vetted_partner.code).size == 5
    # Duplicates are not counted against the daily caps either.
    assert (
        list(DailyAccessCount.objects.values_list("agent_code", "count").order_by("agent_code"))
        == counts
    )


def test_a_partly_new_batch_records_only_the_new_records(partner_client, now):
    first = post(
        partner_client, ACCESS_URL, {"events": [access_event(now, 1), access_event(now, 2)]}
    )
    receipts = {r["client_event_id"]: r["receipt"] for r in first.json()["results"]}

    response = post(
        partner_client,
        ACCESS_URL,
        {"events": [access_event(now, 3), access_event(now, 2), access_event(now, 4)]},
    )

    assert response.status_code == 201
    results = response.json()["results"]
    assert [(r["client_event_id"], r["status"]) for r in results] == [
        ("e-3", "recorded"),
        ("e-2", "duplicate"),
        ("e-4", "recorded"),
    ]
    assert results[1]["receipt"] == receipts["e-2"]
    # The new ones follow on in the log, without a gap.
    assert [results[0]["receipt"]["seq"], results[2]["receipt"]["seq"]] == [2, 3]
    assert AccessEvent.objects.count() == 4
    assert LedgerEntry.objects.count() == 4


def test_a_reused_id_keeps_its_first_content_and_the_batch_is_refused(partner_client, now):
    post(partner_client, ACCESS_URL, {"events": [access_event(now, 1, fields=["name"])]})
    size = records_count()

    response = post(
        partner_client,
        ACCESS_URL,
        {"events": [access_event(now, 2), access_event(now, 1, fields=["bank_account"])]},
    )

    assert conflicts(response) == [("events[1].client_event_id", ["fields"])]
    assert AccessEvent.objects.get().fields == ["name"]
    assert records_count() == size  # nothing of the batch, e-2 included


SESSION = "0b6f3f0e-6a55-4d8e-9d55-2d7f3f1c9a10"


@pytest.mark.parametrize(
    ("change", "differs"),
    [
        ({"resident": resident(OTHER_RESIDENT)}, ["resident"]),
        ({"fields": ["name", "bank_account"]}, ["fields"]),
        ({"purpose": "info_update"}, ["purpose"]),
        ({"agent": "A-0002"}, ["agent"]),
        ({"device": "another-tablet"}, ["device"]),
        ({"session": SESSION}, ["session"]),
        ({"purpose": "info_update", "agent": "A-0002"}, ["agent", "purpose"]),
    ],
)
def test_an_id_reused_with_other_content_is_a_conflict(partner_client, now, change, differs):
    first = post(partner_client, ACCESS_URL, {"events": [access_event(now, 1)]})
    size = records_count()

    response = post(partner_client, ACCESS_URL, {"events": [access_event(now, 1, **change)]})

    assert conflicts(response) == [("events[0].client_event_id", differs)]
    [error] = response.json()["errors"]
    assert error["client_id"] == "e-1"
    assert error["receipt"] == first.json()["results"][0]["receipt"]
    assert records_count() == size
    assert OTHER_RESIDENT not in response.content.decode()  # never echoed


def test_an_id_reused_for_another_time_is_a_conflict(partner_client, now):
    post(partner_client, ACCESS_URL, {"events": [access_event(now, 1)]})

    later = access_event(now + dt.timedelta(seconds=1), 1)
    response = post(partner_client, ACCESS_URL, {"events": [later]})

    assert conflicts(response) == [("events[0].client_event_id", ["occurred_at"])]


def test_the_same_content_written_differently_is_a_duplicate(partner_client, now):
    post(partner_client, ACCESS_URL, {"events": [access_event(now, 1, fields=["name", "phone"])]})

    # The same instant with another offset, the fields in another order and repeated,
    # the session null instead of left out, the check character in lower case.
    again = access_event(now, 1, fields=["phone", "name", "phone"])
    again["occurred_at"] = now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = post(partner_client, ACCESS_URL, {"events": [again]})

    assert response.status_code == 201, response.content
    assert response.json()["results"][0]["status"] == "duplicate"
    assert AccessEvent.objects.count() == 1


def test_the_credential_is_not_content(partner_client, vetted_partner, now):
    post(partner_client, ACCESS_URL, {"events": [access_event(now, 1)]})
    second_key = bearer_client(factories.issue_partner_key(vetted_partner, "second install"))

    response = post(second_key, ACCESS_URL, {"events": [access_event(now, 1)]})

    assert response.status_code == 201
    assert response.json()["results"][0]["status"] == "duplicate"


def test_equal_copies_in_one_batch_are_one_record(partner_client, now):
    response = post(
        partner_client,
        ACCESS_URL,
        {"events": [access_event(now, 1), access_event(now, 2), access_event(now, 1)]},
    )

    assert response.status_code == 201
    results = response.json()["results"]
    assert [(r["client_event_id"], r["status"]) for r in results] == [
        ("e-1", "recorded"),
        ("e-2", "recorded"),
        ("e-1", "duplicate"),
    ]
    assert results[2]["receipt"] == results[0]["receipt"]
    assert AccessEvent.objects.count() == 2
    assert LedgerEntry.objects.count() == 2
    assert DailyAccessCount.objects.get(agent_code="A-0001").count == 2


def test_different_copies_in_one_batch_are_a_conflict_naming_each(partner_client, now):
    events = [
        access_event(now, 1),
        access_event(now, 2),
        access_event(now, 1, purpose="info_update"),
        access_event(now, 2, device="another-tablet"),
        access_event(now, 1),
    ]

    response = post(partner_client, ACCESS_URL, {"events": events})

    assert conflicts(response) == [
        ("events[2].client_event_id", ["purpose"]),
        ("events[3].client_event_id", ["device"]),
    ]
    assert records_count() == 0


def test_a_malformed_batch_is_reported_before_any_conflict(partner_client, now):
    post(partner_client, ACCESS_URL, {"events": [access_event(now, 1)]})
    size = records_count()

    response = post(
        partner_client,
        ACCESS_URL,
        {"events": [access_event(now, 1, purpose="info_update"), access_event(now, 2, fields=[])]},
    )

    assert problem_errors(response) == {("events[1].fields", "required")}
    assert records_count() == size


def test_every_conflicting_record_is_named_beyond_the_error_cap(partner_client, now, settings):
    events = [access_event(now, n) for n in range(150)]
    post(partner_client, ACCESS_URL, {"events": events})

    changed = [access_event(now, n, purpose="info_update") for n in range(150)]
    response = post(partner_client, ACCESS_URL, {"events": changed})

    assert len(conflicts(response)) == 150


def test_an_account_event_id_reused_with_other_content_is_a_conflict(platform_client, now):
    post(platform_client, ACCOUNT_URL, {"events": [account_event(now, 1)]})

    other = post(
        platform_client, ACCOUNT_URL, {"events": [account_event(now, 1, phone="+8613800000001")]}
    )
    same = post(
        platform_client, ACCOUNT_URL, {"events": [account_event(now, 1, phone="139 1234 5678")]}
    )

    assert conflicts(other) == [("events[0].client_event_id", ["phone"])]
    assert same.status_code == 201  # the same phone written another way
    assert same.json()["results"][0]["status"] == "duplicate"
    assert AccountEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "differs"),
    [
        ({"purpose": "info_update"}, ["purpose"]),
        ({"region_code": "411302"}, ["region_code"]),
        ({"consent_ref": "consent-2"}, ["consent_ref"]),
        ({"device": "another-tablet"}, ["device"]),
    ],
)
def test_a_session_id_reused_with_other_content_is_a_conflict(partner_client, now, change, differs):
    at = now - dt.timedelta(minutes=1)
    post(partner_client, SESSIONS_URL, session_body(at, consent_ref="consent-1"))
    size = records_count()

    response = post(
        partner_client, SESSIONS_URL, session_body(at, **{"consent_ref": "consent-1", **change})
    )

    assert conflicts(response) == [("client_session_id", differs)]
    assert records_count() == size


def test_a_resent_session_may_write_its_time_and_empty_consent_differently(partner_client, now):
    at = now - dt.timedelta(minutes=1)
    first = post(partner_client, SESSIONS_URL, session_body(at))

    again = post(
        partner_client,
        SESSIONS_URL,
        session_body(at, opened_at=at.astimezone(dt.UTC).isoformat(), consent_ref=None),
    )

    assert again.status_code == 201, again.content
    assert again.json() == first.json()


def test_a_resent_session_is_recorded_once(partner_client, now):
    first = post(partner_client, SESSIONS_URL, session_body(now - dt.timedelta(minutes=1)))

    again = post(partner_client, SESSIONS_URL, session_body(now - dt.timedelta(minutes=1)))

    assert (first.status_code, again.status_code) == (201, 201)  # DESIGN.md: always 201
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["receipt"] == first.json()["receipt"]
    assert LedgerEntry.objects.count() == 1


def test_a_refused_batch_leaves_no_trace_so_it_can_be_resent_once_fixed(partner_client, now):
    bad = {"events": [access_event(now, 1), access_event(now, 2, purpose="?")]}
    assert post(partner_client, ACCESS_URL, bad).status_code == 400

    fixed = post(
        partner_client, ACCESS_URL, {"events": [access_event(now, 1), access_event(now, 2)]}
    )

    assert fixed.status_code == 201
    assert [r["status"] for r in fixed.json()["results"]] == ["recorded", "recorded"]
    assert [r["receipt"]["seq"] for r in fixed.json()["results"]] == [0, 1]


def test_another_partner_may_use_the_same_ids_for_other_content(
    partner_client, other_partner_client, now
):
    post(partner_client, ACCESS_URL, {"events": [access_event(now, 1)]})

    response = post(
        other_partner_client, ACCESS_URL, {"events": [access_event(now, 1, purpose="info_update")]}
    )

    assert response.status_code == 201  # ids are per partner: neither a conflict nor a duplicate
    assert response.json()["results"][0]["status"] == "recorded"
    assert AccessEvent.objects.count() == 2
