"""Checks of whole request bodies, and what they give the services."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from auditsvc.base.identities import Identity, account_ref, device_ref, phone_ref

from .fields import (
    Errors,
    choice_value,
    fields_value,
    latest_allowed,
    memoised,
    no_personal_number,
    object_body,
    pseudonymised_value,
    region_value,
    resident_value,
    session_value,
    string_value,
    time_value,
    unknown_keys,
)
from .limits import (
    ACCESS_KEYS,
    ACCOUNT_KEYS,
    ACTIONS,
    AGENT_HELP,
    AGENT_PATTERN,
    BATCH_KEYS,
    CHANNELS,
    CLIENT_ID_HELP,
    CLIENT_ID_PATTERN,
    CONSENT_HELP,
    CONSENT_PATTERN,
    OUTCOMES,
    PHONE_MAX,
    PURPOSES,
    SESSION_CLOSE_KEYS,
    SESSION_OPEN_KEYS,
    TEXT_MAX,
    compiled,
    max_batch,
)

_PURPOSES = frozenset(PURPOSES)
_ACTIONS = frozenset(ACTIONS)
_CHANNELS = frozenset(CHANNELS)
_OUTCOMES = frozenset(OUTCOMES)
_CLIENT_ID_RE = compiled(CLIENT_ID_PATTERN)
_AGENT_RE = compiled(AGENT_PATTERN)
_CONSENT_RE = compiled(CONSENT_PATTERN)


@dataclass(slots=True)
class SessionOpenIn:
    """A validated ``POST /api/v1/sessions`` body (pseudonyms only)."""

    client_session_id: str
    agent_code: str
    identity: Identity
    purpose: str
    region_code: str
    device_ref: str
    opened_at: dt.datetime
    consent_ref: str


@dataclass(slots=True)
class SessionCloseIn:
    """A validated ``POST /api/v1/sessions/<id>/close`` body."""

    closed_at: dt.datetime
    outcome: str


@dataclass(slots=True)
class AccessEventIn:
    """One validated record of ``POST /api/v1/access-events`` (pseudonyms only)."""

    client_event_id: str
    session_id: uuid.UUID | None
    agent_code: str
    identity: Identity
    fields: list[str]
    purpose: str
    occurred_at: dt.datetime
    device_ref: str


@dataclass(slots=True)
class AccountEventIn:
    """One validated record of ``POST /api/v1/account-events`` (pseudonyms only)."""

    client_event_id: str
    identity: Identity
    action: str
    account_ref: str
    occurred_at: dt.datetime
    device_ref: str
    phone_ref: str
    channel: str


# --- Sessions ---------------------------------------------------------------------------


def validate_session_open(data: Any) -> SessionOpenIn:
    """Validate a session-open body; raise ValidationFailed listing every bad field."""
    errors = Errors()
    obj = object_body(data, errors)
    if obj is None:
        raise errors.failure()
    unknown_keys(obj, SESSION_OPEN_KEYS, "", errors)
    client_id = no_personal_number(
        string_value(obj, "client_session_id", "", errors, _CLIENT_ID_RE, CLIENT_ID_HELP),
        "",
        "client_session_id",
        errors,
    )
    agent = no_personal_number(
        string_value(obj, "agent", "", errors, _AGENT_RE, AGENT_HELP), "", "agent", errors
    )
    identity = resident_value(obj, "resident", "", errors)
    purpose = choice_value(obj, "purpose", "", errors, _PURPOSES)
    region = region_value(obj, "region_code", "", errors)
    device = pseudonymised_value(obj, "device", "", errors, device_ref)
    opened_at = time_value(obj, "opened_at", "", errors, latest_allowed())
    consent = _consent_value(obj, errors)
    if errors:
        raise errors.failure()
    return SessionOpenIn(
        client_session_id=client_id,
        agent_code=agent,
        identity=identity,
        purpose=purpose,
        region_code=region,
        device_ref=device,
        opened_at=opened_at,
        consent_ref=consent or "",
    )


def _consent_value(obj: dict, errors: Errors) -> str | None:
    """``consent_ref``: absent, null or "" (none), else printable ASCII without a personal number.

    Checked for a personal number first, so that one written in full-width
    digits is named as such rather than as a mere wrong character.
    """
    consent = obj.get("consent_ref")
    if consent is None:
        return None
    if type(consent) is not str:
        errors.add("consent_ref", "invalid_type", "Must be a string or null.")
    elif len(consent) > TEXT_MAX:
        errors.add("consent_ref", "invalid_format", f"Must be {CONSENT_HELP}.")
    elif no_personal_number(consent, "", "consent_ref", errors) is None:
        pass
    elif _CONSENT_RE.fullmatch(consent) is None:
        # NUL cannot be stored by PostgreSQL, and look-alike or invisible characters
        # could hide a number from the check above: printable ASCII only.
        errors.add("consent_ref", "invalid_format", f"Must be {CONSENT_HELP}.")
    else:
        return consent
    return None


def validate_session_close(data: Any) -> SessionCloseIn:
    """Validate a session-close body; raise ValidationFailed listing every bad field."""
    errors = Errors()
    obj = object_body(data, errors)
    if obj is None:
        raise errors.failure()
    unknown_keys(obj, SESSION_CLOSE_KEYS, "", errors)
    closed_at = time_value(obj, "closed_at", "", errors, latest_allowed())
    outcome = choice_value(obj, "outcome", "", errors, _OUTCOMES)
    if errors:
        raise errors.failure()
    return SessionCloseIn(closed_at=closed_at, outcome=outcome)


# --- Batches -----------------------------------------------------------------------------


def _batch_items(data: Any, errors: Errors) -> list | None:
    """The ``events`` list of a batch body, or None (with errors) if the batch is unusable."""
    obj = object_body(data, errors)
    if obj is None:
        return None
    unknown_keys(obj, BATCH_KEYS, "", errors)
    events = obj.get("events")
    if events is None:
        errors.add("events", "required", "This field is required.")
        return None
    if type(events) is not list:
        errors.add("events", "invalid_type", "Must be a list of records.")
        return None
    if not events:
        errors.add("events", "batch_empty", "Send at least one record.")
        return None
    limit = max_batch()
    if len(events) > limit:
        # Not looked into further: the client must split the batch anyway.
        errors.add(
            "events", "batch_too_large", f"At most {limit} records per batch; split the batch."
        )
        return None
    return events


def _records(events: list, keys: frozenset[str], errors: Errors):
    """Yield ``(prefix, record)`` for each record that is an object; note the rest.

    Unknown keys are noted too; the record is still checked field by field so
    that one answer lists every problem of the batch.
    """
    for position, item in enumerate(events):
        prefix = f"events[{position}]"
        if type(item) is not dict:
            errors.add(prefix, "invalid_type", "Each record must be a JSON object.")
            continue
        if len(item) > len(keys) or not item.keys() <= keys:
            unknown_keys(item, keys, prefix, errors)
        yield prefix, item


def _client_event_id(item: dict, prefix: str, errors: Errors) -> str | None:
    """The record's ``client_event_id``.

    An id used twice in one batch is not an error here: equal copies are one
    record, different ones an idempotency conflict (409), which the service
    judges after the whole batch is known to be well formed.
    """
    return no_personal_number(
        string_value(item, "client_event_id", prefix, errors, _CLIENT_ID_RE, CLIENT_ID_HELP),
        prefix,
        "client_event_id",
        errors,
    )


def validate_access_batch(data: Any) -> list[AccessEventIn]:
    """Validate ``{"events": [...]}`` of access events; raise ValidationFailed on any error.

    ``session`` may be left out (the same as null).
    """
    errors = Errors()
    events = _batch_items(data, errors)
    if events is None:
        raise errors.failure()
    latest = latest_allowed()
    device = memoised(device_ref)
    out: list[AccessEventIn] = []
    append = out.append
    for prefix, item in _records(events, ACCESS_KEYS, errors):
        client_id = _client_event_id(item, prefix, errors)
        session_id = session_value(item, prefix, errors)
        agent = no_personal_number(
            string_value(item, "agent", prefix, errors, _AGENT_RE, AGENT_HELP),
            prefix,
            "agent",
            errors,
        )
        identity = resident_value(item, "resident", prefix, errors)
        fields = fields_value(item, prefix, errors)
        purpose = choice_value(item, "purpose", prefix, errors, _PURPOSES)
        occurred_at = time_value(item, "occurred_at", prefix, errors, latest)
        device_pseudonym = pseudonymised_value(item, "device", prefix, errors, device)
        if not errors:
            append(
                AccessEventIn(
                    client_event_id=client_id,
                    session_id=session_id,
                    agent_code=agent,
                    identity=identity,
                    fields=fields,
                    purpose=purpose,
                    occurred_at=occurred_at,
                    device_ref=device_pseudonym,
                )
            )
    if errors:
        raise errors.failure()
    return out


def validate_account_batch(data: Any, *, platform_code: str) -> list[AccountEventIn]:
    """Validate ``{"events": [...]}`` of account events; raise ValidationFailed on any error.

    ``platform_code`` (the reporting partner's code) scopes the account pseudonyms.
    """
    errors = Errors()
    events = _batch_items(data, errors)
    if events is None:
        raise errors.failure()
    latest = latest_allowed()
    device = memoised(device_ref)
    phone = memoised(phone_ref)

    def account(value: str) -> str:
        return account_ref(platform_code, value)

    out: list[AccountEventIn] = []
    append = out.append
    for prefix, item in _records(events, ACCOUNT_KEYS, errors):
        client_id = _client_event_id(item, prefix, errors)
        identity = resident_value(item, "holder", prefix, errors)
        action = choice_value(item, "action", prefix, errors, _ACTIONS)
        account_pseudonym = pseudonymised_value(item, "account", prefix, errors, account)
        occurred_at = time_value(item, "occurred_at", prefix, errors, latest)
        device_pseudonym = pseudonymised_value(item, "device", prefix, errors, device)
        phone_pseudonym = pseudonymised_value(item, "phone", prefix, errors, phone, PHONE_MAX)
        channel = choice_value(item, "channel", prefix, errors, _CHANNELS)
        if not errors:
            append(
                AccountEventIn(
                    client_event_id=client_id,
                    identity=identity,
                    action=action,
                    account_ref=account_pseudonym,
                    occurred_at=occurred_at,
                    device_ref=device_pseudonym,
                    phone_ref=phone_pseudonym,
                    channel=channel,
                )
            )
    if errors:
        raise errors.failure()
    return out
