"""Personal numbers never reach the ledger through free text, however they are written.

Client ids, agent codes and consent references are stored and signed as sent,
in a log that is never erased: a resident identity number or a phone number
in them is refused (issue 7, item 7), and so is an unknown JSON key holding
one, which must not be echoed in the error either.
"""

from __future__ import annotations

import datetime as dt

import pytest

from auditsvc.ingestion.models import EnrolmentSession
from tests import factories

from .support import ACCESS_URL, SESSIONS_URL, access_event, post, problem_errors, records_count
from .support import session_body as base_session_body

NUMBER = factories.make_resident_id("411381", dt.date(1951, 6, 30), 17)
WIDE = "".join(chr(ord(c) + 0xFEE0) for c in NUMBER)  # full-width digits

WRITTEN = [
    pytest.param(f"{NUMBER[:6]} {NUMBER[6:14]} {NUMBER[14:]}", id="id-with-spaces"),
    pytest.param(f"{NUMBER[:6]}-{NUMBER[6:14]}-{NUMBER[14:]}", id="id-with-hyphens"),
    pytest.param(f"consent {WIDE}", id="id-in-full-width-digits"),
    pytest.param("138.0000.1234", id="phone-with-dots"),
    pytest.param("(138)00001234", id="phone-with-brackets"),
    pytest.param("tel: +86 138-0000-1234", id="phone-with-country-code"),
]


def session_body(now, **overrides):
    return base_session_body(now - dt.timedelta(minutes=1), **overrides)


@pytest.mark.parametrize("text", WRITTEN)
def test_a_consent_reference_holding_a_personal_number_is_refused(partner_client, now, text):
    response = post(partner_client, SESSIONS_URL, session_body(now, consent_ref=text))

    assert problem_errors(response) == {("consent_ref", "personal_data_in_free_text")}
    assert records_count() == 0
    assert text not in response.content.decode()


@pytest.mark.parametrize(
    "client_id",
    [
        f"e-{NUMBER[:6]}-{NUMBER[6:14]}-{NUMBER[14:]}",
        "e-138.0000.1234",
        "e-(138)00001234",
        "e_138_0000_1234",
    ],
)
def test_a_client_id_holding_a_personal_number_is_refused(partner_client, now, client_id):
    response = post(partner_client, ACCESS_URL, {"events": [access_event(now, client_id)]})

    # access_event names the id e-<n>; the number is in it however it is split.
    assert problem_errors(response) == {("events[0].client_event_id", "personal_data_in_free_text")}
    assert records_count() == 0


@pytest.mark.parametrize(
    "text",
    ["consent\u00e9", "consent\u3000ref", "c\u200bref", "ref\x00", "ref\x7f", "\uff43\uff4f"],
)
def test_a_consent_reference_must_be_printable_ascii(partner_client, now, text):
    response = post(partner_client, SESSIONS_URL, session_body(now, consent_ref=text))

    assert problem_errors(response) == {("consent_ref", "invalid_format")}


def test_a_printable_ascii_consent_reference_is_kept_as_sent(partner_client, now):
    text = "consent 2026/000123 (signed) #7 ~ok"

    response = post(partner_client, SESSIONS_URL, session_body(now, consent_ref=text))

    assert response.status_code == 201, response.content
    assert EnrolmentSession.objects.get().consent_ref == text


@pytest.mark.parametrize(
    "key",
    [NUMBER, f"{NUMBER[:6]} {NUMBER[6:]}", WIDE, "13800001234", "138.0000.1234"],
    ids=["plain", "spaced", "full-width", "phone", "phone-with-dots"],
)
def test_an_unknown_key_that_looks_like_a_personal_number_is_not_echoed(partner_client, now, key):
    event = {**access_event(now, 1), key: "x"}
    session = {**session_body(now), key: "x"}

    for url, body in [(ACCESS_URL, {"events": [event]}), (SESSIONS_URL, session)]:
        response = post(partner_client, url, body)

        errors = problem_errors(response)
        assert len(errors) == 1
        [(field, code)] = errors
        assert code == "unknown_field"
        assert field.endswith("(withheld)")
        text = response.content.decode()
        assert key not in text
        assert key.replace(" ", "") not in text
        assert NUMBER[:11] not in text
    assert records_count() == 0


def test_an_ordinary_unknown_key_is_named(partner_client, now):
    response = post(partner_client, ACCESS_URL, {"events": [{**access_event(now), "colour": 1}]})

    assert problem_errors(response) == {("events[0].colour", "unknown_field")}
