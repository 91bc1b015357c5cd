"""No raw identity number, phone, device or account id is kept or logged anywhere.

After ingesting records whose raw values are known (and a staff lookup that
types one in), every text, varchar, json and binary column of every table of
the database is read and searched for those values and their normalised
forms; so is every log record emitted meanwhile (captured at DEBUG).
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from tests.admin_clients import admin_client_for
from tests.db_scan import scan_database

from .support import (
    ACCESS_URL,
    ACCOUNT,
    ACCOUNT_URL,
    DEVICE,
    OTHER_RESIDENT,
    PHONE,
    RESIDENT,
    SESSIONS_URL,
    access_event,
    account_event,
    close_url,
    post,
    records_count,
    resident,
    session_body,
)

# The resident's number with its check character X written in lower case.
LOWER_X_RESIDENT = RESIDENT.lower()
assert RESIDENT.endswith("X")
BAD_RESIDENT = RESIDENT[:17] + ("0" if RESIDENT[17] != "0" else "1")  # wrong check character
SPACED_DEVICE = f"  {DEVICE}  "
LOCAL_PHONE = PHONE.removeprefix("+86")  # sent without the country code
SPACED_PHONE = "+86 139-1234-5678"


def needles() -> set[str]:
    """Every raw value sent, and every normalised form the service could have derived."""
    raw = {
        RESIDENT,
        OTHER_RESIDENT,
        LOWER_X_RESIDENT,
        BAD_RESIDENT,
        DEVICE,
        PHONE,
        LOCAL_PHONE,
        SPACED_PHONE,
        ACCOUNT,
    }
    derived = {value.upper() for value in raw}
    derived |= {RESIDENT[:17], OTHER_RESIDENT[:17], BAD_RESIDENT[:17]}  # without check character
    derived |= {"8613912345678", "139 1234 5678", "139-1234-5678"}
    return raw | derived


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("django", "django.request", "django.db.backends", "auditsvc", "partners"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_no_raw_value_reaches_the_database_or_the_logs(
    partner_client, platform_client, staff, logs, now
):
    # Sessions and accesses, with every spelling of the raw values.
    session = post(
        partner_client,
        SESSIONS_URL,
        session_body(now - dt.timedelta(hours=1), device=SPACED_DEVICE, consent_ref="consent-77"),
    )
    assert session.status_code == 201
    session_id = session.json()["id"]
    accesses = post(
        partner_client,
        ACCESS_URL,
        {
            "events": [
                access_event(now, 1, session=session_id),
                access_event(now, 2, resident=resident(OTHER_RESIDENT), device=SPACED_DEVICE),
                access_event(now, 3, resident=resident(LOWER_X_RESIDENT)),
            ]
        },
    )
    assert accesses.status_code == 201
    closed = post(
        partner_client,
        close_url(session_id),
        {"closed_at": now.isoformat(), "outcome": "completed"},
    )
    assert closed.status_code == 201
    accounts = post(
        platform_client,
        ACCOUNT_URL,
        {
            "events": [
                account_event(now, 1),
                account_event(now, 2, phone=LOCAL_PHONE),
                account_event(now, 3, phone=SPACED_PHONE, holder=resident(OTHER_RESIDENT)),
            ]
        },
    )
    assert accounts.status_code == 201
    # Refused requests carrying raw values.
    refused = post(
        partner_client,
        ACCESS_URL,
        {"events": [access_event(now, 9, resident=resident(BAD_RESIDENT))]},
    )
    assert refused.status_code == 400
    refused = post(platform_client, ACCOUNT_URL, {"events": [account_event(now, 9, phone="+86 x")]})
    assert refused.status_code == 400
    # A staff member looks a resident up in the admin.
    lookup = admin_client_for(staff).post(
        "/admin/ingestion/accessevent/resident-lookup/", {"identity_number": RESIDENT}
    )
    assert lookup.status_code == 200
    assert RESIDENT not in lookup.content.decode()

    hits = scan_database(needles())

    assert hits == []
    for record in logs.records:
        text = record.getMessage() + repr(record.args) + str(record.exc_info or "")
        assert not [value for value in needles() if value in text], record.getMessage()
    assert not [value for value in needles() if value in logs.text]


def test_the_scan_would_find_a_raw_value(vetted_partner):
    """The scan is not blind: a raw number written to a text column is found."""
    vetted_partner.address = f"lives with {RESIDENT}"
    vetted_partner.save()

    assert scan_database({RESIDENT}) == ["partners_partner.address"]


# --- Raw numbers in free-text fields ----------------------------------------------------
# client ids, agent codes and consent_ref are stored and signed as sent: a raw
# number in them would stay in the permanent ledger, so they are refused.

MOBILE = LOCAL_PHONE
FREE_TEXT_NUMBERS = [
    pytest.param(RESIDENT, id="resident"),
    pytest.param(f"c-{LOWER_X_RESIDENT}-1", id="resident-inside"),
    pytest.param(MOBILE, id="mobile"),
    pytest.param(f"x{PHONE}", id="mobile+86"),
    pytest.param(f"ref-0086{MOBILE}", id="mobile0086"),
    pytest.param(f"ref-{MOBILE[:3]}-{MOBILE[3:7]}-{MOBILE[7:]}", id="mobile-dashed"),
]


def assert_refused_for(response, field: str, value: str) -> None:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    errors = {(error["field"], error["code"]) for error in response.json()["errors"]}
    assert (field, "personal_data_in_free_text") in errors
    text = response.content.decode()
    assert value not in text
    assert value.upper() not in text


@pytest.mark.parametrize("value", FREE_TEXT_NUMBERS)
@pytest.mark.parametrize("field", ["consent_ref", "client_session_id"])
def test_it_refuses_a_raw_number_in_a_session_free_text_field(partner_client, now, field, value):
    size = records_count()

    response = post(partner_client, SESSIONS_URL, session_body(now, **{field: value}))

    assert_refused_for(response, field, value)
    assert records_count() == size


@pytest.mark.parametrize("value", [RESIDENT, MOBILE, f"A{MOBILE}"])
def test_it_refuses_a_raw_number_as_an_agent_code(partner_client, now, value):
    size = records_count()

    session = post(partner_client, SESSIONS_URL, session_body(now, agent=value))
    access = post(
        partner_client,
        ACCESS_URL,
        {"events": [access_event(now, 1), access_event(now, 2, agent=value)]},
    )

    assert_refused_for(session, "agent", value)
    assert_refused_for(access, "events[1].agent", value)
    assert records_count() == size


@pytest.mark.parametrize("value", FREE_TEXT_NUMBERS)
def test_it_refuses_a_raw_number_in_a_client_event_id(partner_client, platform_client, now, value):
    size = records_count()

    access = post(
        partner_client,
        ACCESS_URL,
        {"events": [access_event(now, 1), access_event(now, 2, client_event_id=value)]},
    )
    account = post(
        platform_client, ACCOUNT_URL, {"events": [account_event(now, 1, client_event_id=value)]}
    )

    assert_refused_for(access, "events[1].client_event_id", value)
    assert_refused_for(account, "events[0].client_event_id", value)
    assert records_count() == size
    assert scan_database({value, value.upper()}) == []


@pytest.mark.parametrize(
    "value",
    [
        "1732345678901",  # epoch milliseconds: 13 digits starting with 17, not a phone
        "e-20261123-000001",
        "1234567890123456789",  # a long numeric id that is no valid resident number
        "550e8400-e29b-41d4-a716-446655440000",
        "consent-2026-000123",
    ],
)
def test_it_accepts_ordinary_ids_with_digits(partner_client, now, value):
    response = post(
        partner_client,
        SESSIONS_URL,
        session_body(now, client_session_id=value, consent_ref=value),
    )

    assert response.status_code == 201, response.content


@pytest.mark.parametrize("text", ["consent\x00-1", "consent\n1", "consent\x1b[2J"])
def test_it_refuses_control_characters_in_consent_ref(partner_client, now, text):
    size = records_count()

    response = post(partner_client, SESSIONS_URL, session_body(now, consent_ref=text))

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    errors = {(error["field"], error["code"]) for error in response.json()["errors"]}
    assert errors == {("consent_ref", "invalid_format")}
    assert records_count() == size
