"""auditsvc.ingestion.validation: every error collected, with its field and stable code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from auditsvc.base.errors import ValidationFailed
from auditsvc.base.identities import device_ref, phone_ref, resident_identity
from auditsvc.ingestion import validation

from .support import ACCOUNT, DEVICE, PHONE, RESIDENT, access_event, account_event, session_body

UTC = dt.UTC


def errors_of(call, *args, **kwargs) -> set[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as caught:
        call(*args, **kwargs)
    return {(error["field"], error["code"]) for error in caught.value.errors}


@pytest.fixture
def earlier():
    return timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)


# --- Times ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23T09:30:00+08:00", dt.datetime(2026, 11, 23, 1, 30, tzinfo=UTC)),
        ("2026-11-23T01:30:00Z", dt.datetime(2026, 11, 23, 1, 30, tzinfo=UTC)),
        ("2026-11-23t01:30:00z", dt.datetime(2026, 11, 23, 1, 30, tzinfo=UTC)),
        ("2026-11-23 01:30:00Z", dt.datetime(2026, 11, 23, 1, 30, tzinfo=UTC)),
        ("2026-11-23T01:30:00.5Z", dt.datetime(2026, 11, 23, 1, 30, 0, 500000, tzinfo=UTC)),
        (
            "2026-11-23T01:30:00.123456789-05:30",
            dt.datetime(2026, 11, 23, 7, 0, 0, 123456, tzinfo=UTC),
        ),
        ("2026-11-23T01:30:00-00:00", dt.datetime(2026, 11, 23, 1, 30, tzinfo=UTC)),
    ],
)
def test_it_parses_rfc3339_times_into_utc(text, expected):
    parsed = validation.parse_datetime(text)

    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-23T09:30:00",  # no offset: the instant is unknown
        "2026-11-23",
        "2026-11-23T09:30Z",
        "2026-11-23T09:30:00+0800",
        "2026-11-23T09:30:00+24:00",
        "2026-11-23T09:30:60Z",  # leap seconds are not accepted
        "2026-02-29T09:30:00Z",
        "1969-12-31T23:59:59Z",
        "2026-11-23T09:30:00.Z",
        "\uff12\uff10\uff12\uff16-11-23T09:30:00Z",  # full-width digits
        " 2026-11-23T09:30:00Z",
    ],
)
def test_it_refuses_what_is_not_an_rfc3339_time_with_an_offset(text):
    assert validation.parse_datetime(text) is None


# --- Sessions -----------------------------------------------------------------------------------


def test_it_returns_pseudonyms_only(earlier):
    data = validation.validate_session_open(session_body(earlier, consent_ref="c-1"))

    assert data.identity == resident_identity("cn-resident-id", RESIDENT)
    assert data.device_ref == device_ref(DEVICE)
    assert DEVICE not in repr(data) and RESIDENT not in repr(data)
    assert data.opened_at == earlier
    assert data.consent_ref == "c-1"


def test_it_refuses_a_body_that_is_not_an_object():
    assert errors_of(validation.validate_session_open, ["s-1"]) == {("", "invalid_type")}
    assert errors_of(validation.validate_session_close, None) == {("", "invalid_type")}


def test_it_validates_a_close(earlier):
    data = validation.validate_session_close(
        {"closed_at": earlier.isoformat(), "outcome": "completed"}
    )

    assert (data.closed_at, data.outcome) == (earlier, "completed")
    assert errors_of(
        validation.validate_session_close, {"closed_at": "soon", "outcome": "done", "note": "x"}
    ) == {
        ("closed_at", "invalid_datetime"),
        ("outcome", "invalid_choice"),
        ("note", "unknown_field"),
    }


def test_it_refuses_a_long_consent_reference(earlier):
    body = session_body(earlier, consent_ref="c" * 201)

    assert errors_of(validation.validate_session_open, body) == {("consent_ref", "invalid_format")}


# --- Access batches ------------------------------------------------------------------------------


def test_it_validates_an_access_batch(earlier):
    session = "0b6f3f0e-6a55-4d8e-9d55-2d7f3f1c9a10"
    events = validation.validate_access_batch(
        {
            "events": [
                access_event(earlier, 1, session=session),
                access_event(earlier, 2, fields=["name", "phone", "name"]),
            ]
        }
    )

    assert [e.client_event_id for e in events] == ["e-1", "e-2"]
    assert str(events[0].session_id) == session
    assert events[1].session_id is None
    assert events[1].fields == ["name", "phone"]  # repeats dropped, order kept


def test_it_reports_each_wrong_field_of_each_record(earlier):
    events = [
        access_event(earlier, 1, purpose=None, fields=["name", 3]),
        {"client_event_id": "e-2"},
        access_event(earlier, 3, occurred_at=(timezone.now() + dt.timedelta(hours=1)).isoformat()),
    ]

    assert errors_of(validation.validate_access_batch, {"events": events}) == {
        ("events[0].purpose", "required"),
        ("events[0].fields[1]", "invalid_type"),
        ("events[1].agent", "required"),
        ("events[1].resident", "required"),
        ("events[1].fields", "required"),
        ("events[1].purpose", "required"),
        ("events[1].occurred_at", "required"),
        ("events[1].device", "required"),
        ("events[2].occurred_at", "in_future"),
    }


def test_it_follows_the_clock_skew_setting(settings):
    settings.AUDITSVC_MAX_CLOCK_SKEW_SECONDS = 3600
    ahead = timezone.now() + dt.timedelta(minutes=30)

    assert validation.validate_access_batch({"events": [access_event(ahead)]})


def test_it_follows_the_batch_size_setting(settings, earlier):
    settings.AUDITSVC_MAX_BATCH = 2
    events = [access_event(earlier, i) for i in range(3)]

    assert errors_of(validation.validate_access_batch, {"events": events}) == {
        ("events", "batch_too_large")
    }
    assert validation.validate_access_batch({"events": events[:2]})


def test_it_leaves_a_repeated_client_event_id_to_the_idempotency_check(earlier):
    # Equal copies are one record, different ones a 409 conflict: the service
    # judges, once the whole batch is known to be well formed.
    events = [access_event(earlier, 1), access_event(earlier, 2), access_event(earlier, 1)]

    records = validation.validate_access_batch({"events": events})

    assert [record.client_event_id for record in records] == ["e-1", "e-2", "e-1"]


def test_it_never_puts_a_submitted_value_in_a_message(earlier):
    secrets = ["110105194912310021", "not-a-phone-13912345678x", "2026-99-99T00:00:00Z"]
    event = account_event(earlier, holder={"scheme": "cn-resident-id", "value": secrets[0]})
    event.update(phone=secrets[1], occurred_at=secrets[2])

    with pytest.raises(ValidationFailed) as caught:
        validation.validate_account_batch({"events": [event]}, platform_code="P0009")

    text = repr(caught.value.errors) + str(caught.value)
    assert len(caught.value.errors) == 3
    for secret in secrets:
        assert secret not in text


# --- Account batches ----------------------------------------------------------------------------


def test_it_validates_an_account_batch(earlier):
    [event] = validation.validate_account_batch(
        {"events": [account_event(earlier)]}, platform_code="P0009"
    )

    assert event.phone_ref == phone_ref(PHONE)
    assert event.account_ref not in (ACCOUNT, "")
    assert (event.action, event.channel) == ("opened", "e_card_activation")


def test_it_scopes_account_pseudonyms_to_the_platform(earlier):
    body = {"events": [account_event(earlier)]}

    [here] = validation.validate_account_batch(body, platform_code="P0009")
    [there] = validation.validate_account_batch(body, platform_code="P0010")

    assert here.account_ref != there.account_ref
    assert here.identity == there.identity


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"action": "frozen"}, "action", "invalid_choice"),
        ({"channel": "wechat"}, "channel", "invalid_choice"),
        ({"phone": "12"}, "phone", "invalid_format"),
        ({"phone": 13912345678}, "phone", "invalid_type"),
        ({"account": ""}, "account", "invalid_format"),
        (
            {"holder": {"scheme": "cn-resident-id", "value": "110105194912310021"}},
            "holder.value",
            "invalid_checksum",
        ),
        (
            {"resident": {"scheme": "cn-resident-id", "value": RESIDENT}},
            "resident",
            "unknown_field",
        ),
    ],
)
def test_it_refuses_a_malformed_account_event(earlier, change, field, code):
    event = account_event(earlier, **change)

    assert errors_of(
        validation.validate_account_batch, {"events": [event]}, platform_code="P0009"
    ) == {(f"events[0].{field}", code)}


@pytest.mark.parametrize(
    "fields", [[{"a": 1}], [["name"]], ["name", {"a": 1}], ["name", ["x"], 3, None]]
)
def test_it_refuses_fields_items_that_are_not_strings(earlier, fields):
    # Lists and objects are unhashable: they must be type-checked before any set test.
    errors = errors_of(
        validation.validate_access_batch, {"events": [access_event(earlier, fields=fields)]}
    )

    expected = {
        (f"events[0].fields[{j}]", "invalid_type")
        for j, name in enumerate(fields)
        if type(name) is not str
    }
    assert errors == expected
