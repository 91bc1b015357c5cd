"""Helpers of the ingestion tests: request bodies, receipts, problem errors.

Known raw values (identity numbers, devices, phones, account ids) are built
here so that test_no_raw_identities can look for them everywhere afterwards.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json

from rest_framework.test import APIClient

from auditsvc.core.keys import ENTRY_CONTEXT, VerifierKey
from auditsvc.ingestion.models import AccessEvent, AccountEvent, EnrolmentSession
from auditsvc.ledger.models import LedgerEntry
from tests import factories

SESSIONS_URL = "/api/v1/sessions"
ACCESS_URL = "/api/v1/access-events"
ACCOUNT_URL = "/api/v1/account-events"

RESIDENT = factories.make_resident_id("411381", dt.date(1950, 3, 7), 123)
OTHER_RESIDENT = factories.make_resident_id("411381", dt.date(1948, 11, 2), 456)
DEVICE = "tablet-IMEI-356938035643809"
PHONE = "+8613912345678"
ACCOUNT = "6222029876543210"


def close_url(session_id: str) -> str:
    return f"{SESSIONS_URL}/{session_id}/close"


def iso(moment: dt.datetime) -> str:
    """RFC 3339 in Asia/Shanghai time, as partner software in Henan would send it."""
    return moment.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat()


def resident(number: str = RESIDENT) -> dict:
    return {"scheme": "cn-resident-id", "value": number}


def session_body(at: dt.datetime, **overrides) -> dict:
    body = {
        "client_session_id": "s-1",
        "agent": "A-0001",
        "resident": resident(),
        "purpose": "card_activation",
        "region_code": "411381",
        "device": DEVICE,
        "opened_at": iso(at),
    }
    body.update(overrides)
    return body


def access_event(at: dt.datetime, n: int = 1, *, session: str | None = None, **overrides) -> dict:
    event = {
        "client_event_id": f"e-{n}",
        "session": session,
        "agent": "A-0001",
        "resident": resident(),
        "fields": ["name", "id_number", "phone"],
        "purpose": "card_activation",
        "occurred_at": iso(at),
        "device": DEVICE,
    }
    event.update(overrides)
    return event


def account_event(at: dt.datetime, n: int = 1, **overrides) -> dict:
    event = {
        "client_event_id": f"acc-{n}",
        "holder": resident(),
        "action": "opened",
        "account": ACCOUNT,
        "occurred_at": iso(at),
        "device": DEVICE,
        "phone": PHONE,
        "channel": "e_card_activation",
    }
    event.update(overrides)
    return event


def post(client, url: str, body):
    return client.post(url, body, format="json")


def records_count() -> int:
    """Every record and ledger entry: a refused request must leave it unchanged."""
    return (
        EnrolmentSession.objects.count()
        + AccessEvent.objects.count()
        + AccountEvent.objects.count()
        + LedgerEntry.objects.count()
    )


def published_verifier(key_id: str) -> VerifierKey:
    """The verifier key ``key_id`` as GET /api/v1/keys publishes it (what auditors pin)."""
    response = APIClient().get("/api/v1/keys")
    assert response.status_code == 200
    [published] = [key for key in response.json()["keys"] if key["key_id"] == key_id]
    verifier = VerifierKey.from_string(published["verifier_key"])
    assert base64.b64decode(published["public_key"]) == verifier.public_key
    return verifier


def assert_receipt_verifies(receipt: dict) -> LedgerEntry:
    """The receipt names a stored entry whose hash it gives, signed by a published key.

    The signature is Ed25519 over ENTRY_CONTEXT + the 32-byte leaf hash, where
    the leaf hash is SHA-256(0x00 || the entry's canonical bytes).
    """
    entry = LedgerEntry.objects.get(log_id=receipt["log"], seq=receipt["seq"])
    leaf = hashlib.sha256(b"\x00" + entry.canonical.encode()).digest()
    assert receipt["leaf_hash"] == leaf.hex()
    assert entry.key_id == receipt["key_id"]
    verifier = published_verifier(receipt["key_id"])
    signature = base64.b64decode(receipt["signature"], validate=True)
    assert verifier.verify(ENTRY_CONTEXT + leaf, signature)
    # And not by accident: the signature does not cover another hash.
    assert not verifier.verify(ENTRY_CONTEXT + bytes(32), signature)
    assert not verifier.verify(leaf, signature)  # nor the hash without its context
    return entry


def entry_body(entry: LedgerEntry) -> dict:
    return json.loads(entry.canonical)["body"]


def problem_errors(response) -> set[tuple[str, str]]:
    """{(field, code)} of a 400 validation problem."""
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "validation_error"
    return {(error["field"], error["code"]) for error in body["errors"]}
