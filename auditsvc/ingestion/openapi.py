"""OpenAPI descriptions of the ingestion endpoints (drf-spectacular).

Requests are validated by auditsvc.ingestion.validation (fast, every error
with a stable code), not by serializers. The request schemas here are written
from the same constants (``validation.limits``): patterns, lengths, choices,
batch size, ``additionalProperties: false``, so that the schema says exactly
what the server enforces. What a schema cannot say (check characters, birth
dates, times not in the future, personal numbers in free text) is in the
descriptions. The serializer classes below name the components; an
extension (``RequestBodyExtension``) replaces their generated schema with the
one written here. Responses are described by ordinary serializers.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from auditsvc.base.api.schema import ReceiptSerializer
from partners.choices import Violation

from .models import EnrolmentSession
from .validation import limits

EXAMPLE_ID_NUMBER = "11010519491231002X"
EXAMPLE_RECEIPT = {
    "log": "P0001",
    "seq": 41,
    "leaf_hash": "5f0c6a3f9e1d4b7a8c2e0f1d3b5a7c9e1f3d5b7a9c1e3f5d7b9a1c3e5f7d9b1a",
    "signature": (
        "q1Jm9oJ3t5X0f8nQ2mB4c6dE8fG0hI2jK4lM6nO8pQ0rS2tU4vW6xY8zA0bC2dE4fG6hI8jK0lM2nO4pQ6rS8Q=="
    ),
    "key_id": "7a3c9e01",
}

# --- Request bodies, from the validation constants ----------------------------------------

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


# --- Responses ------------------------------------------------------------------------------

_VIOLATIONS = serializers.ListField(
    child=serializers.ChoiceField(choices=Violation.choices),
    help_text="How the record breaks the partner's authorisation; empty when it does not.",
)


class SessionOpenResponseSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The session id to send with access events.")
    client_session_id = serializers.CharField()
    receipt = ReceiptSerializer()
    violations = _VIOLATIONS


class SessionCloseResponseSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    client_session_id = serializers.CharField()
    closed_at = serializers.DateTimeField()
    outcome = serializers.ChoiceField(choices=EnrolmentSession.Outcome.choices)
    receipt = ReceiptSerializer()


class EventResultSerializer(serializers.Serializer):
    client_event_id = serializers.CharField()
    status = serializers.ChoiceField(
        choices=[("recorded", "recorded now"), ("duplicate", "recorded before; original receipt")]
    )
    receipt = ReceiptSerializer()
    violations = _VIOLATIONS


class BatchResultSerializer(serializers.Serializer):
    results = EventResultSerializer(many=True, help_text="One per record, in the order sent.")


# --- Examples ----------------------------------------------------------------------------

SESSION_OPEN_EXAMPLE = OpenApiExample(
    "Open a session",
    request_only=True,
    value={
        "client_session_id": "s-1",
        "agent": "A-0001",
        "resident": {"scheme": "cn-resident-id", "value": EXAMPLE_ID_NUMBER},
        "purpose": "card_activation",
        "region_code": "411381",
        "device": "tablet-0042",
        "opened_at": "2026-11-23T09:30:00+08:00",
        "consent_ref": "consent-2026-000123",
    },
)
SESSION_OPEN_ANSWER = OpenApiExample(
    "Session recorded",
    response_only=True,
    status_codes=["201"],
    value={
        "id": "0b6f3f0e-6a55-4d8e-9d55-2d7f3f1c9a10",
        "client_session_id": "s-1",
        "receipt": EXAMPLE_RECEIPT,
        "violations": [],
    },
)
SESSION_CLOSE_EXAMPLE = OpenApiExample(
    "Close a session",
    request_only=True,
    value={"closed_at": "2026-11-23T09:52:00+08:00", "outcome": "completed"},
)
SESSION_CLOSE_ANSWER = OpenApiExample(
    "Session closed",
    response_only=True,
    status_codes=["201"],
    value={
        "id": "0b6f3f0e-6a55-4d8e-9d55-2d7f3f1c9a10",
        "client_session_id": "s-1",
        "closed_at": "2026-11-23T01:52:00.000000Z",
        "outcome": "completed",
        "receipt": {**EXAMPLE_RECEIPT, "seq": 43},
    },
)
ACCESS_EXAMPLE = OpenApiExample(
    "Report an identity access",
    request_only=True,
    value={
        "events": [
            {
                "client_event_id": "e-1",
                "session": "0b6f3f0e-6a55-4d8e-9d55-2d7f3f1c9a10",
                "agent": "A-0001",
                "resident": {"scheme": "cn-resident-id", "value": EXAMPLE_ID_NUMBER},
                "fields": ["name", "id_number", "phone"],
                "purpose": "card_activation",
                "occurred_at": "2026-11-23T09:31:12+08:00",
                "device": "tablet-0042",
            }
        ]
    },
)
ACCESS_ANSWER = OpenApiExample(
    "Recorded, with a violation",
    response_only=True,
    status_codes=["201"],
    value={
        "results": [
            {
                "client_event_id": "e-1",
                "status": "recorded",
                "receipt": EXAMPLE_RECEIPT,
                "violations": ["field_not_permitted"],
            }
        ]
    },
)
ACCOUNT_EXAMPLE = OpenApiExample(
    "Report an account opened",
    request_only=True,
    value={
        "events": [
            {
                "client_event_id": "acc-20261123-0001",
                "holder": {"scheme": "cn-resident-id", "value": EXAMPLE_ID_NUMBER},
                "action": "opened",
                "account": "6222020000000000",
                "occurred_at": "2026-11-23T10:02:00+08:00",
                "device": "android-5f1c",
                "phone": "+8613800000000",
                "channel": "e_card_activation",
            }
        ]
    },
)
ACCOUNT_ANSWER = OpenApiExample(
    "Recorded",
    response_only=True,
    status_codes=["201"],
    value={
        "results": [
            {
                "client_event_id": "acc-20261123-0001",
                "status": "recorded",
                "receipt": EXAMPLE_RECEIPT,
                "violations": [],
            }
        ]
    },
)
VALIDATION_EXAMPLE = OpenApiExample(
    "Malformed batch (nothing recorded)",
    response_only=True,
    media_type="application/problem+json",
    status_codes=["400"],
    value={
        "type": "https://auditsvc.example/problems/validation_error",
        "title": "The request is malformed; nothing was recorded.",
        "status": 400,
        "code": "validation_error",
        "detail": "1 field(s) are invalid; nothing was recorded.",
        "error_count": 1,
        "errors": [
            {
                "field": "events[3].resident.value",
                "code": "invalid_checksum",
                "message": "The check character does not match.",
            }
        ],
    },
)
CONFLICT_EXAMPLE = OpenApiExample(
    "A client id reused for another record (nothing recorded)",
    response_only=True,
    media_type="application/problem+json",
    status_codes=["409"],
    value={
        "type": "https://auditsvc.example/problems/idempotency_conflict",
        "title": "A client id was reused for different content; nothing was recorded.",
        "status": 409,
        "code": "idempotency_conflict",
        "detail": (
            "1 record(s) reuse a client id with different content; nothing was recorded. "
            "Resend exactly what was sent before, or give new records new ids."
        ),
        "errors": [
            {
                "field": "events[0].client_event_id",
                "code": "idempotency_conflict",
                "message": (
                    "This id was used for a record recorded before with another purpose. "
                    "Resend exactly what was sent before, or give the new record an id of its own."
                ),
                "client_id": "e-1",
                "differs": ["purpose"],
                "receipt": EXAMPLE_RECEIPT,
            }
        ],
    },
)
SESSION_CONFLICT_EXAMPLE = OpenApiExample(
    "A client_session_id reused for another session (nothing recorded)",
    response_only=True,
    media_type="application/problem+json",
    status_codes=["409"],
    value={
        **CONFLICT_EXAMPLE.value,
        "errors": [
            {
                **CONFLICT_EXAMPLE.value["errors"][0],
                "field": "client_session_id",
                "client_id": "s-1",
                "differs": ["resident"],
                "message": (
                    "This id was used for a record recorded before with another resident. "
                    "Resend exactly what was sent before, or give the new record an id of its own."
                ),
            }
        ],
    },
)
