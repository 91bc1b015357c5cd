"""One partner can never read or write another partner's records."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from auditsvc.ingestion.models import AccessEvent, EnrolmentSession
from auditsvc.ledger.models import LedgerEntry

from .support import (
    ACCESS_URL,
    SESSIONS_URL,
    access_event,
    close_url,
    post,
    session_body,
)


def receipt_url(receipt: dict) -> str:
    return f"/api/v1/receipts/{receipt['log']}/{receipt['seq']}"


def test_closing_another_partners_session_is_404(partner_client, other_partner_client, now):
    opened = post(partner_client, SESSIONS_URL, session_body(now - dt.timedelta(hours=1))).json()
    size = LedgerEntry.objects.count()

    response = post(
        other_partner_client,
        close_url(opened["id"]),
        {"closed_at": now.isoformat(), "outcome": "abandoned"},
    )

    assert response.status_code == 404
    assert response.json()["code"] == "session_not_found"
    assert EnrolmentSession.objects.get(pk=opened["id"]).close_entry is None
    assert LedgerEntry.objects.count() == size


def test_another_partners_session_gives_no_open_session(
    partner_client, other_partner_client, other_partner, now
):
    theirs = post(partner_client, SESSIONS_URL, session_body(now - dt.timedelta(hours=1))).json()

    response = post(
        other_partner_client, ACCESS_URL, {"events": [access_event(now, session=theirs["id"])]}
    )

    assert response.status_code == 201
    [result] = response.json()["results"]
    assert result["violations"] == ["no_open_session"]
    assert result["receipt"]["log"] == other_partner.code
    row = AccessEvent.objects.get(partner=other_partner)
    assert row.session is None  # never tied to a session the partner does not own


def test_receipts_of_another_partners_log_are_404(partner_client, other_partner_client, now):
    mine = post(partner_client, ACCESS_URL, {"events": [access_event(now)]}).json()
    receipt = mine["results"][0]["receipt"]

    own = partner_client.get(receipt_url(receipt))
    other = other_partner_client.get(receipt_url(receipt))

    assert own.status_code == 200
    assert own.json()["signature"] == receipt["signature"]
    assert other.status_code == 404
    assert receipt["signature"] not in other.content.decode()


def test_a_partner_writes_only_to_its_own_log(
    partner_client, other_partner_client, vetted_partner, other_partner, now
):
    post(partner_client, SESSIONS_URL, session_body(now))
    post(other_partner_client, ACCESS_URL, {"events": [access_event(now, 1), access_event(now, 2)]})

    logs = dict(
        LedgerEntry.objects.order_by()
        .values("log_id")
        .annotate(n=Count("id"))
        .values_list("log_id", "n")
    )

    assert logs == {vetted_partner.code: 1, other_partner.code: 2}
    assert set(EnrolmentSession.objects.values_list("partner__code", flat=True)) == {
        vetted_partner.code
    }
    assert set(AccessEvent.objects.values_list("partner__code", flat=True)) == {other_partner.code}


def test_the_same_client_ids_of_two_partners_never_meet(partner_client, other_partner_client, now):
    mine = post(partner_client, SESSIONS_URL, session_body(now)).json()
    theirs = post(other_partner_client, SESSIONS_URL, session_body(now))

    assert theirs.status_code == 201  # not a "duplicate" of the other partner's session
    assert theirs.json()["id"] != mine["id"]
    assert theirs.json()["receipt"]["log"] != mine["receipt"]["log"]
