"""Resending the same client ids returns the same receipts and records nothing twice."""

from __future__ import annotations

import datetime as dt

from auditsvc.ingestion.models import AccessEvent, DailyAccessCount
from auditsvc.ledger.models import LedgerEntry, Log

from .support import ACCESS_URL, SESSIONS_URL, access_event, post, records_count, session_body


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


def test_a_resent_record_keeps_its_first_content(partner_client, now):
    post(partner_client, ACCESS_URL, {"events": [access_event(now, 1, fields=["name"])]})

    post(partner_client, ACCESS_URL, {"events": [access_event(now, 1, fields=["bank_account"])]})

    assert AccessEvent.objects.get().fields == ["name"]


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
