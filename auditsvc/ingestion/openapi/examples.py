"""Examples of requests and answers, shown in the docs; tests check each against the validators."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

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
