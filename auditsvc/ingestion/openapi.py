"""OpenAPI descriptions of the ingestion endpoints (drf-spectacular).

These serializers only describe the bodies for ``/api/schema/`` and the
interactive docs; requests are validated by auditsvc.ingestion.validation,
which is much faster and reports every error with a stable code.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from auditsvc.base.api.schema import ReceiptSerializer
from auditsvc.base.identities import SCHEMES
from partners.choices import DataField, Purpose, Violation

from .models import AccountEvent, EnrolmentSession

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


class ResidentSerializer(serializers.Serializer):
    scheme = serializers.ChoiceField(choices=SCHEMES)
    value = serializers.CharField(
        help_text=(
            "The 18-character resident identity number (GB 11643-1999). Validated (division "
            "code, birth date, check character), then kept only as a keyed pseudonym."
        )
    )


_VIOLATIONS = serializers.ListField(
    child=serializers.ChoiceField(choices=Violation.choices),
    help_text="How the record breaks the partner's authorisation; empty when it does not.",
)
_TIME_HELP = "RFC 3339 with an offset; at most {} seconds in the future."


def _time(help_text: str = "") -> serializers.DateTimeField:
    skew = settings.AUDITSVC_MAX_CLOCK_SKEW_SECONDS
    return serializers.DateTimeField(help_text=(help_text + " " + _TIME_HELP.format(skew)).strip())


class SessionOpenRequestSerializer(serializers.Serializer):
    client_session_id = serializers.CharField(
        max_length=100,
        help_text="Your id of the session (1-100 printable ASCII characters, no spaces). "
        "Resending the same id returns the original answer. Must not contain a resident "
        "identity number or phone number (`personal_data_in_free_text`).",
    )
    agent = serializers.CharField(
        max_length=32, help_text="Code of the field agent, as registered with the bureau."
    )
    resident = ResidentSerializer()
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    region_code = serializers.CharField(
        min_length=6,
        max_length=6,
        help_text="6-digit division code of where the enrolment happens.",
    )
    device = serializers.CharField(
        max_length=200, help_text="Any identifier of the agent's device (kept as a pseudonym)."
    )
    opened_at = _time()
    consent_ref = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=200,
        help_text="Optional hash or id of the resident's signed consent: printable "
        "characters, no resident identity number or phone number "
        "(`personal_data_in_free_text`).",
    )


class SessionOpenResponseSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The session id to send with access events.")
    client_session_id = serializers.CharField()
    receipt = ReceiptSerializer()
    violations = _VIOLATIONS


class SessionCloseRequestSerializer(serializers.Serializer):
    closed_at = _time("Not before the session's opened_at.")
    outcome = serializers.ChoiceField(choices=EnrolmentSession.Outcome.choices)


class SessionCloseResponseSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    client_session_id = serializers.CharField()
    closed_at = serializers.DateTimeField()
    outcome = serializers.ChoiceField(choices=EnrolmentSession.Outcome.choices)
    receipt = ReceiptSerializer()


class AccessEventSerializer(serializers.Serializer):
    client_event_id = serializers.CharField(
        max_length=100,
        help_text="Your id of the record; resending it returns the original receipt.",
    )
    session = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="Id of the open enrolment session (from POST /sessions), or null.",
    )
    agent = serializers.CharField(max_length=32)
    resident = ResidentSerializer()
    fields = serializers.ListField(
        child=serializers.ChoiceField(choices=DataField.choices),
        min_length=1,
        help_text="The resident's data that was read.",
    )
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    occurred_at = _time("When the access happened.")
    device = serializers.CharField(max_length=200)


class AccessEventBatchSerializer(serializers.Serializer):
    events = AccessEventSerializer(many=True, help_text="1 to AUDITSVC_MAX_BATCH (1,000) records.")


class AccountEventSerializer(serializers.Serializer):
    client_event_id = serializers.CharField(max_length=100)
    holder = ResidentSerializer()
    action = serializers.ChoiceField(choices=AccountEvent.Action.choices)
    account = serializers.CharField(
        max_length=200, help_text="Your account id (kept as a pseudonym)."
    )
    occurred_at = _time()
    device = serializers.CharField(max_length=200)
    phone = serializers.CharField(help_text="Phone bound to the account, e.g. +8613800000000.")
    channel = serializers.ChoiceField(choices=AccountEvent.Channel.choices)


class AccountEventBatchSerializer(serializers.Serializer):
    events = AccountEventSerializer(many=True, help_text="1 to AUDITSVC_MAX_BATCH (1,000) records.")


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
    status_codes=["400"],
    value={
        "type": "https://auditsvc.example/problems/validation_error",
        "title": "The request is malformed; nothing was recorded.",
        "status": 400,
        "code": "validation_error",
        "detail": "1 field(s) are invalid; nothing was recorded.",
        "errors": [
            {
                "field": "events[3].resident.value",
                "code": "invalid_checksum",
                "message": "The check character does not match.",
            }
        ],
    },
)
