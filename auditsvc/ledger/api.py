"""The ledger's public API: keys, checkpoints and proofs, for anyone.

Views only parse, call a selector and shape the answer; errors are
ServiceErrors turned into RFC 9457 problems by the global exception handler.
The public endpoints take no credentials at all (a wrong key must not stop a
resident's or auditor's check) and are throttled per client address.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from auditsvc.base.api.schema import problem_responses
from auditsvc.core.canonical import b64encode, format_time

from . import selectors

_MAX_SIZE = 2**62  # far beyond any log; keeps absurd numbers out of the arithmetic


# --- Serializers (query parsing and schema) --------------------------------------


class KeySerializer(serializers.Serializer):
    key_id = serializers.CharField(help_text="8 hex characters: the C2SP key hash.")
    name = serializers.CharField(help_text="Key name: the service origin.")
    algorithm = serializers.CharField(help_text="Always ed25519.")
    public_key = serializers.CharField(help_text="Base64 of the 32 raw public key bytes.")
    verifier_key = serializers.CharField(
        help_text="C2SP note verifier key name+keyid+base64(0x01 || key): what auditors pin."
    )
    valid_from = serializers.DateTimeField(help_text="UTC, RFC 3339 with microseconds and Z.")
    retired_at = serializers.DateTimeField(
        allow_null=True,
        help_text="After this the key signs nothing; it stays published. UTC, as valid_from.",
    )


class KeysSerializer(serializers.Serializer):
    keys = KeySerializer(many=True)


class InclusionQuerySerializer(serializers.Serializer):
    seq = serializers.IntegerField(
        min_value=0, max_value=_MAX_SIZE, help_text="Entry (leaf) index."
    )
    size = serializers.IntegerField(
        min_value=1, max_value=_MAX_SIZE, help_text="Tree size, e.g. that of a checkpoint you hold."
    )


class InclusionProofSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    size = serializers.IntegerField()
    proof = serializers.ListField(
        child=serializers.CharField(), help_text="Base64 hashes, from the leaf up (RFC 6962)."
    )


class ConsistencyQuerySerializer(serializers.Serializer):
    # "from" is a Python keyword, so the fields are declared in get_fields().
    def get_fields(self):
        return {
            "from": serializers.IntegerField(
                min_value=1, max_value=_MAX_SIZE, help_text="Size of the older tree (>= 1)."
            ),
            "to": serializers.IntegerField(
                min_value=1, max_value=_MAX_SIZE, help_text="Size of the newer tree."
            ),
        }


class ConsistencyProofSerializer(serializers.Serializer):
    def get_fields(self):
        return {
            "from": serializers.IntegerField(),
            "to": serializers.IntegerField(),
            "proof": serializers.ListField(
                child=serializers.CharField(), help_text="Base64 hashes (RFC 6962 order)."
            ),
        }


class EntryRecordSerializer(serializers.Serializer):
    entry = serializers.DictField(
        help_text='The entry: {"v": 1, "log", "seq", "recorded_at", "kind", "body"}; its RFC '
        "8785 bytes are what leaf_hash hashes."
    )
    leaf_hash = serializers.CharField(help_text="Hex SHA-256(0x00 || canonical bytes).")
    signature = serializers.CharField(help_text="Base64 Ed25519 signature.")
    key_id = serializers.CharField()


# Every public endpoint is throttled per client address.
_THROTTLED = {"429": "Too many requests from this address; retry after `Retry-After` seconds."}

LOG_ID_PARAMETER = OpenApiParameter(
    "log_id",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Log id: a partner's code (P0001) or bureau.",
)


# --- Views -------------------------------------------------------------------------


class PublicView(APIView):
    """No credentials, anyone may ask; throttled per client address (the anon rate)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def perform_content_negotiation(self, request, force=False):
        # Answer JSON (or the problem) whatever Accept says: a checker asking
        # for text/plain must get the error explained rather than a 406.
        return super().perform_content_negotiation(request, force=True)


class KeysView(PublicView):
    @extend_schema(
        operation_id="ledger_keys",
        tags=["ledger"],
        summary="Published signing keys",
        description=(
            "Every public key that ever signed entries or checkpoints, retired ones included. "
            "Verifiers find keys by key_id, never by date."
        ),
        responses={200: KeysSerializer, **problem_responses(**_THROTTLED)},
    )
    def get(self, request):
        keys = [
            {
                "key_id": key.key_id,
                "name": key.name,
                "algorithm": key.algorithm,
                "public_key": b64encode(key.public_key),
                "verifier_key": key.verifier_key,
                # Times in answers are UTC with Z, as everywhere in the API.
                "valid_from": format_time(key.valid_from),
                "retired_at": format_time(key.retired_at) if key.retired_at else None,
            }
            for key in selectors.published_keys()
        ]
        return Response({"keys": keys})


class CheckpointView(PublicView):
    @extend_schema(
        operation_id="ledger_checkpoint",
        tags=["ledger"],
        summary="Newest signed checkpoint of a log",
        description=(
            "A C2SP tlog checkpoint in the signed-note format: origin/log id, tree size, "
            "base64 root hash, a blank line, then one signature line per key."
        ),
        parameters=[LOG_ID_PARAMETER],
        responses={
            (200, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="Signed note."),
            **problem_responses(
                **{"404": "Unknown log, or no checkpoint signed yet.", **_THROTTLED}
            ),
        },
    )
    def get(self, request, log_id: str):
        checkpoint = selectors.latest_checkpoint(log_id)
        return HttpResponse(checkpoint.note, content_type="text/plain; charset=utf-8")


class InclusionView(PublicView):
    @extend_schema(
        operation_id="ledger_inclusion_proof",
        tags=["ledger"],
        summary="Inclusion proof of an entry",
        description="RFC 6962 audit path of entry `seq` in the tree of `size` entries.",
        parameters=[LOG_ID_PARAMETER, InclusionQuerySerializer],
        responses={
            200: InclusionProofSerializer,
            **problem_responses(
                **{
                    "400": "Bad or impossible seq/size (named in errors).",
                    "404": "Unknown log.",
                    **_THROTTLED,
                }
            ),
        },
    )
    def get(self, request, log_id: str):
        query = InclusionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        seq, size = query.validated_data["seq"], query.validated_data["size"]
        proof = selectors.inclusion_proof(log_id, seq, size)
        return Response({"seq": seq, "size": size, "proof": [b64encode(node) for node in proof]})


class ConsistencyView(PublicView):
    @extend_schema(
        operation_id="ledger_consistency_proof",
        tags=["ledger"],
        summary="Consistency proof between two tree sizes",
        description=(
            "RFC 6962 proof that the tree of `to` entries extends the tree of `from` entries "
            "(empty when they are equal)."
        ),
        parameters=[LOG_ID_PARAMETER, ConsistencyQuerySerializer],
        responses={
            200: ConsistencyProofSerializer,
            **problem_responses(
                **{
                    "400": "Bad or impossible from/to (named in errors).",
                    "404": "Unknown log.",
                    **_THROTTLED,
                }
            ),
        },
    )
    def get(self, request, log_id: str):
        query = ConsistencyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        old, new = query.validated_data["from"], query.validated_data["to"]
        proof = selectors.consistency_proof(log_id, old, new)
        return Response({"from": old, "to": new, "proof": [b64encode(node) for node in proof]})


__all__ = [
    "CheckpointView",
    "ConsistencyView",
    "InclusionView",
    "KeysView",
]
