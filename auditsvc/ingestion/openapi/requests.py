"""Request bodies, written from the validation constants (``validation.limits``).

Requests are validated by auditsvc.ingestion.validation (fast, every error
with a stable code), not by serializers. The request schemas here are written
from the same constants: patterns, lengths, choices, batch size,
``additionalProperties: false``, so that the schema says exactly what the
server enforces. What a schema cannot say (check characters, birth dates,
times not in the future, personal numbers in free text) is in the
descriptions. The serializer classes name the components; an extension
(``RequestBodyExtension``) replaces their generated schema with the one
written here.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from ..validation import limits

_FREE_TEXT = (
    " Stored and signed as sent: must not contain a resident identity number or a phone "
    "number, however written (`personal_data_in_free_text`)."
)


def _anchored(pattern: str) -> str:
    return f"^{pattern}$"


def _client_id(what: str) -> dict:
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": limits.CLIENT_ID_MAX,
        "pattern": _anchored(limits.CLIENT_ID_PATTERN),
        "description": (
            f"Your id of the {what} ({limits.CLIENT_ID_HELP}), unique within your partner. "
            "Resending it with the same content returns the original answer; reusing it for "
            "different content is a 409 (`idempotency_conflict`)." + _FREE_TEXT
        ),
    }


def _agent() -> dict:
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": limits.AGENT_MAX,
        "pattern": _anchored(limits.AGENT_PATTERN),
        "description": "Code of the field agent, as registered with the bureau." + _FREE_TEXT,
    }


def _resident(description: str) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["scheme", "value"],
        "description": description,
        "properties": {
            "scheme": {"type": "string", "enum": list(limits.SCHEME_CHOICES)},
            "value": {
                "type": "string",
                "minLength": 18,
                "maxLength": 18,
                "pattern": _anchored(limits.RESIDENT_ID_PATTERN),
                "description": (
                    "The 18-character resident identity number (GB 11643-1999): division "
                    "code, birth date and ISO 7064 check character are checked, then it is "
                    "kept only as a keyed pseudonym. Never echoed in an answer."
                ),
            },
        },
    }


def _time(description: str) -> dict:
    skew = settings.AUDITSVC_MAX_CLOCK_SKEW_SECONDS
    return {
        "type": "string",
        "format": "date-time",
        "maxLength": limits.DATETIME_MAX,
        "pattern": _anchored(limits.DATETIME_PATTERN),
        "description": (
            f"{description} RFC 3339 with an offset, after 1970, at most {skew} seconds "
            "ahead of the service's clock."
        ).strip(),
    }


def _choice(choices, description: str = "") -> dict:
    schema = {"type": "string", "enum": list(choices)}
    if description:
        schema["description"] = description
    return schema


def _opaque(
    description: str,
    max_length: int = limits.TEXT_MAX,
    min_length: int = 1,
    pattern: str = limits.NOT_BLANK_PATTERN,
) -> dict:
    return {
        "type": "string",
        "minLength": min_length,
        "maxLength": max_length,
        "pattern": pattern,
        "description": description,
    }


def _object(properties: dict, required: list[str], description: str = "") -> dict:
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": properties,
    }
    if description:
        schema["description"] = description
    return schema


def _batch(record: dict, what: str) -> dict:
    batch = limits.max_batch()
    return _object(
        {
            "events": {
                "type": "array",
                "minItems": 1,
                "maxItems": batch,
                "items": record,
                "description": (
                    f"1 to {batch:,} {what}. A malformed batch is refused whole (400); a "
                    "client id reused for different content refuses it too (409)."
                ),
            }
        },
        ["events"],
    )


def session_open_schema() -> dict:
    """JSON Schema of ``POST /api/v1/sessions``."""
    return _object(
        {
            "client_session_id": _client_id("session"),
            "agent": _agent(),
            "resident": _resident("The resident being helped."),
            "purpose": _choice(limits.PURPOSES),
            "region_code": {
                "type": "string",
                "minLength": 6,
                "maxLength": 6,
                "pattern": _anchored(limits.REGION_PATTERN),
                "description": (
                    "6-digit division code (GB/T 2260) of where the enrolment happens: what "
                    "is checked against your authorised regions."
                ),
            },
            "device": _opaque(
                "Any identifier of the agent's device (not only spaces); kept as a pseudonym."
            ),
            "opened_at": _time("When the session started."),
            "consent_ref": {
                "type": "string",
                "nullable": True,
                "maxLength": limits.TEXT_MAX,
                "pattern": _anchored(limits.CONSENT_PATTERN),
                "description": (
                    "Optional hash or id of the resident's signed consent: "
                    f"{limits.CONSENT_HELP}; null or empty for none." + _FREE_TEXT
                ),
            },
        },
        [
            "client_session_id",
            "agent",
            "resident",
            "purpose",
            "region_code",
            "device",
            "opened_at",
        ],
    )


def session_close_schema() -> dict:
    """JSON Schema of ``POST /api/v1/sessions/<id>/close``."""
    return _object(
        {
            "closed_at": _time("When the session ended; not before its opened_at."),
            "outcome": _choice(limits.OUTCOMES),
        },
        ["closed_at", "outcome"],
    )


def access_event_schema() -> dict:
    """JSON Schema of one record of ``POST /api/v1/access-events``."""
    return _object(
        {
            "client_event_id": _client_id("record"),
            "session": {
                "type": "string",
                "nullable": True,
                "minLength": 36,
                "maxLength": 36,
                "pattern": _anchored(limits.SESSION_ID_PATTERN),
                "description": (
                    "Id of the open enrolment session (from POST /sessions), or null or left "
                    "out when there is none."
                ),
            },
            "agent": _agent(),
            "resident": _resident("The resident whose data was read."),
            "fields": {
                "type": "array",
                "minItems": 1,
                "maxItems": limits.FIELDS_MAX,
                "items": _choice(limits.DATA_FIELDS),
                "description": "The resident's data that was read (a repeated name counts once).",
            },
            "purpose": _choice(limits.PURPOSES),
            "occurred_at": _time("When the access happened."),
            "device": _opaque(
                "Any identifier of the agent's device (not only spaces); kept as a pseudonym."
            ),
        },
        ["client_event_id", "agent", "resident", "fields", "purpose", "occurred_at", "device"],
    )


def account_event_schema() -> dict:
    """JSON Schema of one record of ``POST /api/v1/account-events``."""
    return _object(
        {
            "client_event_id": _client_id("record"),
            "holder": _resident("The resident who holds the account."),
            "action": _choice(limits.ACTIONS),
            "account": _opaque("Your account id (not only spaces); kept as a pseudonym."),
            "occurred_at": _time("When it happened."),
            "device": _opaque(
                "Any identifier of the device used (not only spaces); kept as a pseudonym."
            ),
            "phone": _opaque(
                "Phone bound to the account, e.g. +8613800000000: 5 to 15 digits, an optional "
                "leading + (or 00), spaces, dashes, dots and brackets. Kept as a pseudonym.",
                max_length=limits.PHONE_MAX,
                min_length=limits.PHONE_MIN,
                pattern=_anchored(limits.PHONE_PATTERN),
            ),
            "channel": _choice(limits.CHANNELS),
        },
        [
            "client_event_id",
            "holder",
            "action",
            "account",
            "occurred_at",
            "device",
            "phone",
            "channel",
        ],
    )


class RequestBody(serializers.Serializer):
    """A request body whose schema is written from the validation constants (``json_schema``)."""

    json_schema: ClassVar = staticmethod(dict)


class SessionOpenRequestSerializer(RequestBody):
    json_schema = staticmethod(session_open_schema)


class SessionCloseRequestSerializer(RequestBody):
    json_schema = staticmethod(session_close_schema)


class AccessEventBatchSerializer(RequestBody):
    json_schema = staticmethod(lambda: _batch(access_event_schema(), "access events"))


class AccountEventBatchSerializer(RequestBody):
    json_schema = staticmethod(lambda: _batch(account_event_schema(), "account events"))


class RequestBodyExtension(OpenApiSerializerExtension):
    """Gives a ``RequestBody`` serializer the schema written from the validation constants."""

    target_class = RequestBody
    match_subclasses = True

    def get_name(self, auto_schema, direction) -> str:
        # SessionOpenRequestSerializer -> SessionOpen; with COMPONENT_SPLIT_REQUEST the
        # component is then SessionOpenRequest.
        return self.target.__class__.__name__.removesuffix("Serializer").removesuffix("Request")

    def map_serializer(self, auto_schema, direction) -> dict:
        return self.target.json_schema()
