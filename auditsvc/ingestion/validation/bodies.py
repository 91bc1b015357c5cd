"""Checks of whole request bodies, and what they give the services."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from auditsvc.base.errors import ValidationFailed
from auditsvc.base.identities import Identity, account_ref, device_ref, phone_ref
from partners.choices import Purpose

from ..models import AccountEvent, EnrolmentSession
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

PURPOSES = frozenset(Purpose.values)
ACTIONS = frozenset(AccountEvent.Action.values)
CHANNELS = frozenset(AccountEvent.Channel.values)
OUTCOMES = frozenset(EnrolmentSession.Outcome.values)

# Client ids: 1-100 printable ASCII characters without spaces (UUIDs, "s-1", "2026/11/23#17").
_CLIENT_ID_RE = re.compile(r"[\x21-\x7e]{1,100}")
# Agent codes as partners.models.Agent accepts them (at most 32 characters).
_AGENT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
_MAX_TEXT = 200


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

_SESSION_OPEN_KEYS = frozenset(
    {
        "client_session_id",
        "agent",
        "resident",
        "purpose",
        "region_code",
        "device",
        "opened_at",
        "consent_ref",
    }
)
_SESSION_CLOSE_KEYS = frozenset({"closed_at", "outcome"})
_CLIENT_ID_HELP = "1 to 100 printable ASCII characters without spaces"
_AGENT_HELP = "an agent code: letters, digits, '.', '_' or '-', at most 32 characters"


def validate_session_open(data: Any) -> SessionOpenIn:
    """Validate a session-open body; raise ValidationFailed listing every bad field."""
    errors = Errors()
    obj = object_body(data, errors)
    if obj is None:
        raise ValidationFailed(errors)
    unknown_keys(obj, _SESSION_OPEN_KEYS, "", errors)
    client_id = no_personal_number(
        string_value(obj, "client_session_id", "", errors, _CLIENT_ID_RE, _CLIENT_ID_HELP),
        "",
        "client_session_id",
        errors,
    )
    agent = no_personal_number(
        string_value(obj, "agent", "", errors, _AGENT_RE, _AGENT_HELP), "", "agent", errors
    )
    identity = resident_value(obj, "resident", "", errors)
    purpose = choice_value(obj, "purpose", "", errors, PURPOSES)
    region = region_value(obj, "region_code", "", errors)
    device = pseudonymised_value(obj, "device", "", errors, device_ref)
    opened_at = time_value(obj, "opened_at", "", errors, latest_allowed())
    consent = obj.get("consent_ref")
    if consent is not None and (type(consent) is not str or len(consent) > _MAX_TEXT):
        errors.add("consent_ref", "invalid_type", "Must be a string of at most 200 characters.")
    elif consent is not None and not consent.isprintable():
        # NUL cannot be stored by PostgreSQL; no control character belongs in a reference.
        errors.add(
            "consent_ref", "invalid_format", "Must hold printable characters only (no controls)."
        )
    elif consent is not None:
        no_personal_number(consent, "", "consent_ref", errors)
    if errors:
        raise ValidationFailed(errors)
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


def validate_session_close(data: Any) -> SessionCloseIn:
    """Validate a session-close body; raise ValidationFailed listing every bad field."""
    errors = Errors()
    obj = object_body(data, errors)
    if obj is None:
        raise ValidationFailed(errors)
    unknown_keys(obj, _SESSION_CLOSE_KEYS, "", errors)
    closed_at = time_value(obj, "closed_at", "", errors, latest_allowed())
    outcome = choice_value(obj, "outcome", "", errors, OUTCOMES)
    if errors:
        raise ValidationFailed(errors)
    return SessionCloseIn(closed_at=closed_at, outcome=outcome)


# --- Batches -----------------------------------------------------------------------------

_BATCH_KEYS = frozenset({"events"})


def _batch_items(data: Any, errors: Errors) -> list | None:
    """The ``events`` list of a batch body, or None (with errors) if the batch is unusable."""
    obj = object_body(data, errors)
    if obj is None:
        return None
    unknown_keys(obj, _BATCH_KEYS, "", errors)
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
    limit = settings.AUDITSVC_MAX_BATCH
    if len(events) > limit:
        # Not looked into further: the client must split the batch anyway.
        errors.add(
            "events", "batch_too_large", f"At most {limit} records per batch; split the batch."
        )
        return None
    return events


_ACCESS_KEYS = frozenset(
    {
        "client_event_id",
        "session",
        "agent",
        "resident",
        "fields",
        "purpose",
        "occurred_at",
        "device",
    }
)


def _records(events: list, keys: frozenset[str], errors: Errors):
    """Yield ``(position, prefix, record)`` for each record that is an object; note the rest.

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
        yield position, prefix, item


def _client_event_id(
    item: dict, prefix: str, position: int, first_seen: dict[str, int], errors: Errors
) -> str | None:
    """The record's ``client_event_id``; refused when an earlier record of the batch used it."""
    client_id = no_personal_number(
        string_value(item, "client_event_id", prefix, errors, _CLIENT_ID_RE, _CLIENT_ID_HELP),
        prefix,
        "client_event_id",
        errors,
    )
    if client_id is not None:
        first = first_seen.setdefault(client_id, position)
        if first != position:
            errors.add(
                f"{prefix}.client_event_id",
                "duplicate_in_batch",
                f"The same client_event_id is used by events[{first}].",
            )
    return client_id


def validate_access_batch(data: Any) -> list[AccessEventIn]:
    """Validate ``{"events": [...]}`` of access events; raise ValidationFailed on any error.

    ``session`` may be left out (the same as null).
    """
    errors = Errors()
    events = _batch_items(data, errors)
    if events is None:
        raise ValidationFailed(errors)
    latest = latest_allowed()
    device = memoised(device_ref)
    first_seen: dict[str, int] = {}
    out: list[AccessEventIn] = []
    append = out.append
    for position, prefix, item in _records(events, _ACCESS_KEYS, errors):
        client_id = _client_event_id(item, prefix, position, first_seen, errors)
        session_id = session_value(item, prefix, errors)
        agent = no_personal_number(
            string_value(item, "agent", prefix, errors, _AGENT_RE, _AGENT_HELP),
            prefix,
            "agent",
            errors,
        )
        identity = resident_value(item, "resident", prefix, errors)
        fields = fields_value(item, prefix, errors)
        purpose = choice_value(item, "purpose", prefix, errors, PURPOSES)
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
        raise ValidationFailed(errors)
    return out


_ACCOUNT_KEYS = frozenset(
    {
        "client_event_id",
        "holder",
        "action",
        "account",
        "occurred_at",
        "device",
        "phone",
        "channel",
    }
)


def validate_account_batch(data: Any, *, platform_code: str) -> list[AccountEventIn]:
    """Validate ``{"events": [...]}`` of account events; raise ValidationFailed on any error.

    ``platform_code`` (the reporting partner's code) scopes the account pseudonyms.
    """
    errors = Errors()
    events = _batch_items(data, errors)
    if events is None:
        raise ValidationFailed(errors)
    latest = latest_allowed()
    device = memoised(device_ref)
    phone = memoised(phone_ref)

    def account(value: str) -> str:
        return account_ref(platform_code, value)

    first_seen: dict[str, int] = {}
    out: list[AccountEventIn] = []
    append = out.append
    for position, prefix, item in _records(events, _ACCOUNT_KEYS, errors):
        client_id = _client_event_id(item, prefix, position, first_seen, errors)
        identity = resident_value(item, "holder", prefix, errors)
        action = choice_value(item, "action", prefix, errors, ACTIONS)
        account_pseudonym = pseudonymised_value(item, "account", prefix, errors, account)
        occurred_at = time_value(item, "occurred_at", prefix, errors, latest)
        device_pseudonym = pseudonymised_value(item, "device", prefix, errors, device)
        phone_pseudonym = pseudonymised_value(item, "phone", prefix, errors, phone)
        channel = choice_value(item, "channel", prefix, errors, CHANNELS)
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
        raise ValidationFailed(errors)
    return out
