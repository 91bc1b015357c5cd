"""POST /api/v1/access-events: recording batches, refusing malformed ones whole."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from auditsvc.base.identities import resident_identity
from auditsvc.ingestion.kinds import IngestionKind
from auditsvc.ingestion.models import AccessEvent, DailyAccessCount
from auditsvc.ledger.models import LedgerEntry

from .support import (
    ACCESS_URL,
    DEVICE,
    RESIDENT,
    access_event,
    assert_receipt_verifies,
    entry_body,
    post,
    problem_errors,
    records_count,
    resident,
)


def test_it_records_a_batch_and_answers_in_the_order_sent(
    partner_client, vetted_partner, open_session, now
):
    session = open_session()
    events = [
        access_event(now - dt.timedelta(minutes=5 - i), i, session=session["id"]) for i in range(3)
    ]

    response = post(partner_client, ACCESS_URL, {"events": events})

    assert response.status_code == 201
    results = response.json()["results"]
    assert [r["client_event_id"] for r in results] == ["e-0", "e-1", "e-2"]
    assert {r["status"] for r in results} == {"recorded"}
    assert all(r["violations"] == [] for r in results)
    seqs = [r["receipt"]["seq"] for r in results]
    assert seqs == [session["receipt"]["seq"] + 1 + i for i in range(3)]
    for result in results:
        entry = assert_receipt_verifies(result["receipt"])
        assert entry.kind == IngestionKind.ACCESS_RECORDED

    rows = AccessEvent.objects.filter(partner=vetted_partner).order_by("client_event_id")
    assert [row.client_event_id for row in rows] == ["e-0", "e-1", "e-2"]
    expected = resident_identity("cn-resident-id", RESIDENT)
    row = rows[0]
    assert row.identity_ref == expected.identity_ref
    assert (row.id_region_code, row.birth_year) == ("411381", 1950)
    assert str(row.session_id) == session["id"]
    assert row.agent.code == "A-0001"
    assert row.fields == ["name", "id_number", "phone"]
    assert row.occurred_at == now - dt.timedelta(minutes=5)
    assert row.recorded_at == row.ledger_entry.recorded_at
    signed = entry_body(row.ledger_entry)
    assert signed["identity_ref"] == expected.identity_ref
    assert signed["client_event_id"] == "e-0"
    assert signed["session"] == session["id"]
    assert signed["violations"] == []


def test_it_counts_accesses_per_agent_and_per_partner_and_day(partner_client, vetted_partner, now):
    events = [access_event(now, 1), access_event(now, 2, agent="A-0002"), access_event(now, 3)]

    post(partner_client, ACCESS_URL, {"events": events})

    day = timezone.localtime(now).date()  # TIME_ZONE is Asia/Shanghai
    counts = dict(
        DailyAccessCount.objects.filter(partner=vetted_partner, day=day).values_list(
            "agent_code", "count"
        )
    )
    assert counts == {"": 3, "A-0001": 2, "A-0002": 1}


def test_it_accepts_records_about_the_past(partner_client, now):
    last_year = now - dt.timedelta(days=400)

    response = post(partner_client, ACCESS_URL, {"events": [access_event(last_year)]})

    assert response.status_code == 201
    assert "authorisation_expired" in response.json()["results"][0]["violations"]


def test_it_accepts_a_lower_case_check_character_and_a_missing_session_key(partner_client, now):
    number = "11010519491231002X"
    event = access_event(now, resident=resident(number.lower()))
    del event["session"]

    response = post(partner_client, ACCESS_URL, {"events": [event]})

    assert response.status_code == 201
    row = AccessEvent.objects.get()
    assert row.identity_ref == resident_identity("cn-resident-id", number).identity_ref
    assert row.session is None


BAD_RECORDS = [
    ({"resident": resident("11010519491231002Y")}, "resident.value", "invalid_format"),
    ({"resident": resident("1101051949123100")}, "resident.value", "invalid_format"),
    ({"resident": resident("110105194912310021")}, "resident.value", "invalid_checksum"),
    ({"resident": resident("110105194913310024")}, "resident.value", "invalid_birth_date"),
    ({"resident": resident("990105194912310023")}, "resident.value", "invalid_region"),
    ({"resident": resident(110105194912310020)}, "resident.value", "invalid_type"),
    ({"resident": {"scheme": "cn-passport", "value": "E123"}}, "resident.scheme", "unknown_scheme"),
    ({"resident": {"value": RESIDENT}}, "resident.scheme", "required"),
    ({"resident": {**resident(), "name": "Li"}}, "resident.name", "unknown_field"),
    ({"resident": RESIDENT}, "resident", "invalid_type"),
    ({"purpose": "loan_marketing"}, "purpose", "invalid_choice"),
    ({"fields": ["name", "shoe_size"]}, "fields[1]", "invalid_choice"),
    ({"fields": "name"}, "fields", "invalid_type"),
    ({"fields": []}, "fields", "required"),
    ({"occurred_at": "2026-11-23 09:30"}, "occurred_at", "invalid_datetime"),
    ({"occurred_at": "2026-11-23T09:30:00"}, "occurred_at", "invalid_datetime"),
    ({"occurred_at": "2026-02-30T09:30:00+08:00"}, "occurred_at", "invalid_datetime"),
    ({"occurred_at": 1763861400}, "occurred_at", "invalid_type"),
    ({"session": "123"}, "session", "invalid_format"),
    ({"session": 5}, "session", "invalid_type"),
    ({"agent": None}, "agent", "required"),
    ({"agent": "A 0001"}, "agent", "invalid_format"),
    ({"device": ["x"]}, "device", "invalid_type"),
    ({"device": "x" * 201}, "device", "invalid_format"),
    ({"client_event_id": ""}, "client_event_id", "invalid_format"),
    ({"client_event_id": "x" * 101}, "client_event_id", "invalid_format"),
    ({"client_event_id": 12}, "client_event_id", "invalid_type"),
    ({"ip_address": "10.0.0.1"}, "ip_address", "unknown_field"),
]


@pytest.mark.parametrize(("change", "field", "code"), BAD_RECORDS)
def test_it_refuses_the_whole_batch_when_one_record_is_malformed(
    partner_client, now, change, field, code
):
    events = [access_event(now, 1), access_event(now, 2, **change), access_event(now, 3)]

    response = post(partner_client, ACCESS_URL, {"events": events})

    assert problem_errors(response) == {(f"events[1].{field}", code)}
    assert records_count() == 0
    assert not DailyAccessCount.objects.exists()


def test_it_never_echoes_the_identity_number(partner_client, now):
    bad = "110105194912310021"  # wrong check character

    response = post(
        partner_client, ACCESS_URL, {"events": [access_event(now, resident=resident(bad))]}
    )

    assert response.status_code == 400
    assert bad not in response.content.decode()
    assert bad[:17] not in response.content.decode()


def test_it_collects_every_error_of_the_batch(partner_client, now):
    events = [
        access_event(now, 1, purpose="x"),
        access_event(now, 2),
        access_event(now, 3, resident=resident("110105194912310021"), fields=["x"]),
    ]
    del events[1]["agent"]

    response = post(partner_client, ACCESS_URL, {"events": events})

    assert problem_errors(response) == {
        ("events[0].purpose", "invalid_choice"),
        ("events[1].agent", "required"),
        ("events[2].resident.value", "invalid_checksum"),
        ("events[2].fields[0]", "invalid_choice"),
    }


def test_it_refuses_a_record_in_the_future(partner_client):
    later = timezone.now() + dt.timedelta(minutes=6)

    response = post(partner_client, ACCESS_URL, {"events": [access_event(later)]})

    assert problem_errors(response) == {("events[0].occurred_at", "in_future")}


def test_it_tolerates_a_little_clock_skew(partner_client):
    slightly_ahead = timezone.now() + dt.timedelta(minutes=2)

    response = post(partner_client, ACCESS_URL, {"events": [access_event(slightly_ahead)]})

    assert response.status_code == 201


def test_it_refuses_the_same_client_event_id_twice_in_a_batch_for_two_accesses(partner_client, now):
    events = [
        access_event(now, 1),
        access_event(now, 2),
        access_event(now, 1, purpose="info_update"),
    ]

    response = post(partner_client, ACCESS_URL, {"events": events})

    assert response.status_code == 409
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("events[2].client_event_id", "idempotency_conflict")
    assert "events[0]" in error["message"]
    assert records_count() == 0


def test_it_refuses_an_oversized_batch(partner_client, now, settings):
    settings.AUDITSVC_MAX_BATCH = 3

    response = post(
        partner_client, ACCESS_URL, {"events": [access_event(now, i) for i in range(4)]}
    )

    assert problem_errors(response) == {("events", "batch_too_large")}
    assert records_count() == 0


def test_it_takes_a_full_batch(partner_client, now, settings):
    settings.AUDITSVC_MAX_BATCH = 50

    response = post(
        partner_client, ACCESS_URL, {"events": [access_event(now, i) for i in range(50)]}
    )

    assert response.status_code == 201
    assert AccessEvent.objects.count() == 50
    assert LedgerEntry.objects.count() == 50


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"events": []}, {("events", "batch_empty")}),
        ({}, {("events", "required")}),
        ({"events": {"client_event_id": "e-1"}}, {("events", "invalid_type")}),
        ({"events": ["e-1"]}, {("events[0]", "invalid_type")}),
        ([], {("", "invalid_type")}),
        (
            {"events": [], "partner": "P0002"},
            {("events", "batch_empty"), ("partner", "unknown_field")},
        ),
    ],
)
def test_it_refuses_a_malformed_envelope(partner_client, body, expected):
    response = post(partner_client, ACCESS_URL, body)

    assert problem_errors(response) == expected


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"events": [', "application/json"),
        (b"events=1", "application/json"),
        (b'{"events": NaN}', "application/json"),
    ],
)
def test_it_refuses_a_body_that_is_not_json(partner_client, content, content_type):
    response = partner_client.generic("POST", ACCESS_URL, content, content_type=content_type)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "parse_error"
    assert records_count() == 0


def test_it_refuses_an_account_platform(platform_client, now):
    response = post(platform_client, ACCESS_URL, {"events": [access_event(now)]})

    assert response.status_code == 403
    assert response.json()["code"] == "wrong_partner_kind"


def test_it_refuses_a_staff_token(auditor_client, now):
    response = post(auditor_client, ACCESS_URL, {"events": [access_event(now)]})

    assert response.status_code == 403
    assert records_count() == 0


def test_it_keeps_one_partners_client_ids_apart_from_anothers(
    partner_client, other_partner_client, vetted_partner, other_partner, now
):
    first = post(partner_client, ACCESS_URL, {"events": [access_event(now, 1)]})
    second = post(other_partner_client, ACCESS_URL, {"events": [access_event(now, 1)]})

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["results"][0]["status"] == "recorded"
    assert second.json()["results"][0]["receipt"]["log"] == other_partner.code
    assert AccessEvent.objects.filter(partner=vetted_partner).count() == 1
    assert AccessEvent.objects.filter(partner=other_partner).count() == 1


def test_it_stores_device_pseudonyms_that_count_devices(partner_client, now):
    post(partner_client, ACCESS_URL, {"events": [access_event(now, 1), access_event(now, 2)]})

    refs = set(AccessEvent.objects.values_list("device_ref", flat=True))
    assert len(refs) == 1
    assert DEVICE not in refs.pop()
