"""OpenAPI pieces shared by the API's views (drf-spectacular).

- Security schemes for the two kinds of Bearer keys, so ``/api/schema/``
  says which key each endpoint takes. A view that sets ``partner_only = True``
  documents only the partner key.
- ``ProblemSerializer`` and ``problem_responses``: the RFC 9457 error bodies.
- ``ReceiptSerializer``: the signed receipt of a ledger entry.

The serializers here only describe; requests are validated by hand-written
code (see auditsvc.ingestion.validation).
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from auditsvc.base.api.problems import PROBLEM_CONTENT_TYPE


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    target_class = "partners.auth.PartnerKeyAuthentication"
    name = "partnerKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "API key of a partner's software (starts with `ask_`), issued by the bureau "
                "in the admin. Send `Authorization: Bearer <key>`. A **test key** (starts with "
                "`ask_test_`) is validated and answered exactly like a live key, but its records "
                "go to the partner's test log (`<code>T`, e.g. `P0001T`): client ids and daily "
                "counts of their own, never evidence, never in caps, detection, exports or "
                "reports. Use one to build and test an integration."
            ),
        }


class StaffTokenScheme(OpenApiAuthenticationExtension):
    target_class = "partners.auth.StaffTokenAuthentication"
    name = "staffToken"

    def get_security_requirement(self, auto_schema):
        if getattr(auto_schema.view, "partner_only", False):
            return None
        return super().get_security_requirement(auto_schema)

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "Personal API token of bureau staff or an auditor (starts with `ast_`), "
                "issued in the admin or with `manage.py issue_token`."
            ),
        }


class ReceiptSerializer(serializers.Serializer):
    """The signed receipt of one ledger entry."""

    log = serializers.CharField(help_text="Log id: the partner's code, e.g. P0001.")
    seq = serializers.IntegerField(help_text="Position of the entry in the log (0, 1, 2, ...).")
    leaf_hash = serializers.CharField(
        help_text="Hex SHA-256(0x00 || RFC 8785 bytes of the entry), the RFC 6962 leaf hash."
    )
    signature = serializers.CharField(
        help_text='Base64 Ed25519 signature over b"auditsvc:entry:v1:" + leaf hash (32 bytes).'
    )
    key_id = serializers.CharField(help_text="8 hex characters naming the key (GET /api/v1/keys).")


class ProblemErrorSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_blank=True,
        help_text="Path of the bad field, e.g. events[3].resident.value (empty: the whole body).",
    )
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. invalid_checksum.")
    message = serializers.CharField(help_text="For people; never repeats the submitted value.")
    client_id = serializers.CharField(
        required=False, help_text="Conflicts (409): the client id that was reused."
    )
    differs = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Conflicts (409): the fields whose content differs (resident, purpose, ...).",
    )
    receipt = ReceiptSerializer(
        required=False,
        help_text="Conflicts (409) with a record recorded before: that record's receipt.",
    )


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.URLField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    code = serializers.CharField(help_text="Stable machine-readable code of the problem.")
    detail = serializers.CharField()
    errors = ProblemErrorSerializer(
        many=True,
        required=False,
        help_text=(
            "Validation errors (400): one per failing field, the first 100 of them. "
            "Conflicts (409): one per conflicting record, all of them."
        ),
    )
    error_count = serializers.IntegerField(
        required=False, help_text="Validation errors (400): how many there are in all."
    )


def problem(description: str, examples=None) -> OpenApiResponse:
    """An ``application/problem+json`` response for ``extend_schema(responses=...)``."""
    return OpenApiResponse(response=ProblemSerializer, description=description, examples=examples)


def problem_responses(**described: str) -> dict:
    """{(status, problem content type): OpenApiResponse} for the given statuses.

    ``problem_responses(**{"400": "Malformed", "401": "No key"})``.
    """
    return {
        (int(status), PROBLEM_CONTENT_TYPE): problem(description)
        for status, description in described.items()
    }
