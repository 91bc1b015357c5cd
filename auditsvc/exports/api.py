"""The exports API, for auditors: ask for a bundle, follow it, download it.

    POST /api/v1/exports                 {"log", "from", "to", "previous_size"?} -> 202
    GET  /api/v1/exports/<id>            status (queued, running, done, failed) and progress
    GET  /api/v1/exports/<id>/download   the zip bundle

A personal API token (``ast_...``) of someone holding ``ledger.export_ledger``
(auditors); partner keys are refused. Views parse, call one service, shape.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from auditsvc.base.api.renderers import JSONRenderer
from auditsvc.base.api.schema import problem_responses
from auditsvc.base.errors import NotFound, ValidationFailed
from auditsvc.core.canonical import format_time
from auditsvc.ingestion.validation.fields import parse_datetime
from partners.auth import PartnerPrincipal

from .models import Export
from .services import EXPORT_PERMISSION, export_download, export_request

_MAX_SIZE = 2**62
_FIELDS = frozenset({"log", "from", "to", "previous_size"})


class MayExport(permissions.BasePermission):
    """A staff or auditor token whose holder may export the ledger (auditors)."""

    message = f"Exports need a personal API token of someone holding {EXPORT_PERMISSION}."
    code = "export_permission_required"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return not isinstance(user, PartnerPrincipal) and bool(
            user and user.has_perm(EXPORT_PERMISSION)
        )


# --- Schema only: the request is checked by ``_parse`` ----------------------------


class ExportRequestSerializer(serializers.Serializer):
    def get_fields(self):  # "from" is a Python keyword
        return {
            "log": serializers.CharField(
                max_length=40, help_text="A partner's code (e.g. P0001), its test log, or bureau."
            ),
            "from": serializers.DateTimeField(
                help_text="Start of the recorded_at range (included), RFC 3339 with an offset."
            ),
            "to": serializers.DateTimeField(
                help_text="End of the range (excluded); not later than now."
            ),
            "previous_size": serializers.IntegerField(
                required=False,
                allow_null=True,
                min_value=1,
                max_value=_MAX_SIZE,
                help_text=(
                    "Size of a checkpoint of this log you already hold: the bundle then "
                    "carries the consistency proof from it."
                ),
            ),
        }


class ExportSerializer(serializers.Serializer):
    def get_fields(self):
        times = {"allow_null": True, "help_text": "UTC, RFC 3339 with microseconds and Z."}
        return {
            "id": serializers.UUIDField(),
            "status": serializers.ChoiceField(["queued", "running", "done", "failed"]),
            "progress": serializers.IntegerField(min_value=0, max_value=100),
            "log": serializers.CharField(),
            "from": serializers.CharField(),
            "to": serializers.CharField(),
            "previous_size": serializers.IntegerField(allow_null=True),
            "tree_size": serializers.IntegerField(help_text="Entries in the log when asked."),
            "entry_count": serializers.IntegerField(help_text="Entries in the range."),
            "created_at": serializers.CharField(),
            "error": serializers.CharField(allow_null=True, help_text="Why it failed."),
            "size": serializers.IntegerField(allow_null=True, help_text="Bytes of the zip."),
            "sha256": serializers.CharField(allow_null=True, help_text="Hex SHA-256 of the zip."),
            "expires_at": serializers.CharField(**times),
            "download": serializers.CharField(
                allow_null=True, help_text="Path of the zip, once it is ready."
            ),
        }


def _time(value) -> str | None:
    return format_time(value) if value is not None else None


def export_body(export: Export) -> dict[str, Any]:
    return {
        "id": str(export.pk),
        "status": export.status,
        "progress": export.progress,
        "log": export.log_id,
        "from": format_time(export.range_from),
        "to": format_time(export.range_to),
        "previous_size": export.previous_size,
        "tree_size": export.tree_size,
        "entry_count": export.entry_count,
        "created_at": format_time(export.created_at),
        "error": export.error or None,
        "size": export.size,
        "sha256": export.sha256 or None,
        "expires_at": _time(export.expires_at),
        "download": f"/api/v1/exports/{export.pk}/download" if export.downloadable else None,
    }


def _parse(body: Any) -> dict[str, Any]:
    """The request's fields, or ValidationFailed naming every bad one."""
    errors: list[dict[str, str]] = []

    def bad(field: str, code: str, message: str) -> None:
        errors.append({"field": field, "code": code, "message": message})

    if not isinstance(body, dict):
        raise ValidationFailed(
            [{"field": "", "code": "invalid_type", "message": "Send an object."}]
        )
    for name in sorted(set(body) - _FIELDS):
        bad(name, "unknown_field", "Not a field of an export request.")
    log = body.get("log")
    if type(log) is not str or not log.strip() or len(log) > 40:
        bad("log", "required" if log is None else "invalid", "Give a partner's code or bureau.")
    times = {}
    for name in ("from", "to"):
        value = body.get(name)
        moment = parse_datetime(value) if type(value) is str else None
        if moment is None:
            bad(
                name,
                "required" if value is None else "invalid_datetime",
                "Must be an RFC 3339 date-time with an offset, e.g. 2026-11-23T09:30:00+08:00.",
            )
        times[name] = moment
    previous = body.get("previous_size")
    if previous is not None and (type(previous) is not int or not 1 <= previous <= _MAX_SIZE):
        bad("previous_size", "invalid", "Must be a whole number of at least 1, or absent.")
    if errors:
        raise ValidationFailed(errors, "The export request is malformed; nothing was asked for.")
    return {"log": log, "from_": times["from"], "to": times["to"], "previous_size": previous}


_PROBLEMS = {
    "401": "No, an unknown or a revoked token.",
    "403": (
        "A partner key, or a token of someone who may not export (`export_permission_required`)."
    ),
    "429": "Too many requests for this token; retry after `Retry-After` seconds.",
}


class ExportView(APIView):
    permission_classes = [MayExport]
    renderer_classes = [JSONRenderer]


class ExportListView(ExportView):
    @extend_schema(
        operation_id="exports_request",
        tags=["exports"],
        summary="Ask for an export bundle",
        description=(
            "One log (a partner's code or `bureau`) over the recorded_at range [from, to). "
            "The tree size and creation time are fixed now, so the bundle is the same bytes "
            "however often it is written. Small ranges are ready at once; follow larger ones "
            "with GET /api/v1/exports/{id}. The request is a bureau-log entry."
        ),
        request=ExportRequestSerializer,
        responses={
            202: ExportSerializer,
            **problem_responses(
                **{
                    "400": (
                        "Malformed request (`validation_error`), unknown log (`unknown_log`), "
                        "from not before to or to later than now (`invalid_range`), or a "
                        "previous size beyond the log (`invalid_previous_size`)."
                    ),
                    **_PROBLEMS,
                }
            ),
        },
        examples=[
            OpenApiExample(
                "A partner's log for one day",
                value={
                    "log": "P0001",
                    "from": "2026-11-23T00:00:00+08:00",
                    "to": "2026-11-24T00:00:00+08:00",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        fields = _parse(request.data)
        export = export_request(actor=request.user, via="api", **fields)
        return Response(export_body(export), status=202)


def _export(export_id) -> Export:
    export = Export.objects.filter(pk=export_id).first()
    if export is None:
        raise NotFound("There is no such export.")
    return export


class ExportDetailView(ExportView):
    @extend_schema(
        operation_id="exports_status",
        tags=["exports"],
        summary="An export's status and progress",
        responses={
            200: ExportSerializer,
            **problem_responses(**{"404": "No such export.", **_PROBLEMS}),
        },
    )
    def get(self, request, export_id):
        return Response(export_body(_export(export_id)))


class ExportDownloadView(ExportView):
    @extend_schema(
        operation_id="exports_download",
        tags=["exports"],
        summary="Download an export bundle (zip)",
        description=(
            "The zip of DESIGN.md's bundle format; check it with auditsvc-verify. "
            "Each download is a bureau-log entry."
        ),
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, "The bundle."),
            **problem_responses(
                **{
                    "404": "No such export.",
                    "409": "Not ready: queued, running or failed (`export_not_ready`).",
                    "410": "Its file was removed after the retention time (`export_gone`).",
                    **_PROBLEMS,
                }
            ),
        },
    )
    def get(self, request, export_id):
        path, name = export_download(_export(export_id), actor=request.user, via="api")
        response = FileResponse(
            open(path, "rb"),  # noqa: SIM115 (FileResponse closes it)
            as_attachment=True,
            filename=name,
            content_type="application/zip",
        )
        return response
