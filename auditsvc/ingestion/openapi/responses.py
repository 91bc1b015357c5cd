"""Response bodies of the ingestion endpoints (ordinary serializers, for the schema only)."""

from __future__ import annotations

from rest_framework import serializers

from auditsvc.base.api.schema import ReceiptSerializer
from partners.choices import Violation

from ..models import EnrolmentSession

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
