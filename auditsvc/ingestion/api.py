"""The ingestion API: partner software reports sessions, accesses and account events.

It also answers receipts (``GET /api/v1/receipts/<log>/<seq>``): which log a
partner may read is a question about partners, which the ledger below does
not know.

Views stay thin: parse, validate (auditsvc.ingestion.validation), call one
service, shape the answer. Only partner API keys may report; a staff token
is authenticated but refused (403), and a partner of the wrong kind gets the
``wrong_partner_kind`` problem. Answers are always 201, as DESIGN.md
specifies, resends included: a record sent before comes back with its
original receipt and, in batches, ``"status": "duplicate"``.
"""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from auditsvc.base.api.renderers import JSONRenderer
from auditsvc.base.api.schema import problem_responses
from auditsvc.base.errors import NotFound
from auditsvc.core.canonical import format_time
from auditsvc.ledger import selectors as ledger_selectors
from auditsvc.ledger.api import LOG_ID_PARAMETER, EntryRecordSerializer
from auditsvc.ledger.services import entry_record
from partners.auth import PartnerPrincipal
from partners.choices import PartnerKind

from . import openapi, services, validation
from .errors import SessionNotFound, WrongPartnerKind

PARTNER_ONLY = "This endpoint takes a partner API key (Bearer ask_...), not a staff token."


class IsPartnerSoftware(permissions.BasePermission):
    """The request carries a partner API key, of the kind the view is for."""

    message = PARTNER_ONLY
    code = "partner_key_required"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not isinstance(user, PartnerPrincipal):
            return False
        kind = view.partner_kind
        if user.partner.kind != kind:
            # Checked before the body is read: the body does not matter then.
            raise WrongPartnerKind(
                _("Only partners of kind %(kind)s may use this endpoint; yours is %(yours)s.")
                % {"kind": kind, "yours": user.partner.kind}
            )
        return True


class IngestionView(APIView):
    permission_classes = [IsPartnerSoftware]
    renderer_classes = [JSONRenderer]
    partner_only = True  # documents the partner key only (auditsvc.base.api.schema)
    partner_kind = PartnerKind.ENROLMENT_PARTNER


def _batch_body(results: list[services.EventResult]) -> dict:
    return {
        "results": [
            {
                "client_event_id": result.client_event_id,
                "status": result.status,
                "receipt": result.receipt,
                "violations": result.violations,
            }
            for result in results
        ]
    }


_COMMON_PROBLEMS = {
    "400": "Malformed body (every bad field is listed in `errors`); nothing was recorded.",
    "401": "Missing, unknown or revoked API key.",
    "403": "Not a partner key, or a partner of the wrong kind (`wrong_partner_kind`).",
    "413": "Body larger than the service accepts (`request_too_large`); nothing was recorded.",
    "415": (
        "Not JSON, JSON in a charset other than UTF-8 (`unsupported_charset`), or a "
        "Content-Encoding (`unsupported_content_encoding`); nothing was recorded."
    ),
    "429": "Too many requests for this key; retry after the `Retry-After` seconds.",
    "503": "The service cannot sign right now (`no_signing_key`); nothing was recorded.",
}
_CONFLICT = (
    "A client id reused for different content (`idempotency_conflict`): `errors` names each "
    "conflicting record; nothing was recorded."
)


class SessionOpenView(IngestionView):
    @extend_schema(
        operation_id="sessions_open",
        summary="Open an enrolment session",
        description=(
            "Record that an agent started helping one resident. Idempotent on "
            "`client_session_id`: resending the same session answers 201 again with the "
            "original id and receipt; the id reused for a different session is a 409. "
            "Breaches of the authorisation (region, purpose, dates, hours, agent, partner "
            "status) do not refuse the session: they come back as `violations`."
        ),
        tags=["ingestion"],
        request=openapi.SessionOpenRequestSerializer,
        responses={
            201: OpenApiResponse(
                openapi.SessionOpenResponseSerializer,
                description="Recorded now, or before (a resend): the original id and receipt.",
            ),
            **problem_responses(**_COMMON_PROBLEMS, **{"409": _CONFLICT}),
        },
        examples=[
            openapi.SESSION_OPEN_EXAMPLE,
            openapi.SESSION_OPEN_ANSWER,
            openapi.VALIDATION_EXAMPLE,
            openapi.SESSION_CONFLICT_EXAMPLE,
        ],
    )
    def post(self, request):
        data = validation.validate_session_open(request.data)
        result = services.session_open(request.user.partner, data, credential=request.auth)
        body = {
            "id": str(result.session.pk),
            "client_session_id": result.session.client_session_id,
            "receipt": result.receipt,
            "violations": result.violations,
        }
        return Response(body, status=201)


class SessionCloseView(IngestionView):
    @extend_schema(
        operation_id="sessions_close",
        summary="Close an enrolment session",
        description=(
            "Record the end of one of your sessions. Resending the same close answers 201 "
            "with the original receipt; closing it again differently is a 409. Another "
            "partner's session is a 404, as an unknown one."
        ),
        tags=["ingestion"],
        request=openapi.SessionCloseRequestSerializer,
        responses={
            201: OpenApiResponse(
                openapi.SessionCloseResponseSerializer,
                description="Closed now, or before with the same time and outcome.",
            ),
            **problem_responses(
                **_COMMON_PROBLEMS,
                **{
                    "404": "You have no session with this id.",
                    "409": "Closed before, at another time or outcome (`session_already_closed`).",
                },
            ),
        },
        examples=[
            openapi.SESSION_CLOSE_EXAMPLE,
            openapi.SESSION_CLOSE_ANSWER,
            openapi.VALIDATION_EXAMPLE,
        ],
    )
    def post(self, request, session_id: str):
        try:
            session_uuid = uuid.UUID(session_id)
        except ValueError:
            raise SessionNotFound() from None
        data = validation.validate_session_close(request.data)
        result = services.session_close(
            request.user.partner, session_uuid, data, credential=request.auth
        )
        session = result.session
        body = {
            "id": str(session.pk),
            "client_session_id": session.client_session_id,
            "closed_at": format_time(session.closed_at),
            "outcome": session.outcome,
            "receipt": result.receipt,
        }
        return Response(body, status=201)


class AccessEventsView(IngestionView):
    @extend_schema(
        operation_id="access_events_record",
        summary="Report identity accesses (batch)",
        description=(
            "Report up to 1,000 identity accesses. A malformed batch is refused whole (400, "
            "nothing recorded). Each well-formed record is recorded, even when it breaks the "
            "authorisation (returned as `violations`). Records you sent before (the same "
            "`client_event_id` and content) come back as `duplicate` with their original "
            "receipt; an id reused for a different record refuses the batch (409). Always 201 "
            "otherwise: each result's `status` says whether it was recorded now or a duplicate."
        ),
        tags=["ingestion"],
        request=openapi.AccessEventBatchSerializer,
        responses={
            201: OpenApiResponse(
                openapi.BatchResultSerializer,
                description="One result per record: `recorded` now or `duplicate`.",
            ),
            **problem_responses(**_COMMON_PROBLEMS, **{"409": _CONFLICT}),
        },
        examples=[
            openapi.ACCESS_EXAMPLE,
            openapi.ACCESS_ANSWER,
            openapi.VALIDATION_EXAMPLE,
            openapi.CONFLICT_EXAMPLE,
        ],
    )
    def post(self, request):
        events = validation.validate_access_batch(request.data)
        results = services.access_events_record(
            request.user.partner, events, credential=request.auth
        )
        return Response(_batch_body(results), status=201)


class AccountEventsView(IngestionView):
    partner_kind = PartnerKind.ACCOUNT_PLATFORM

    @extend_schema(
        operation_id="account_events_record",
        summary="Report account events (batch, account platforms)",
        description=(
            "Account platforms report accounts opened, identities bound, limits raised and "
            "accounts closed, up to 1,000 per batch, with the same rules as access events. "
            "Account ids, devices and phones are kept only as pseudonyms."
        ),
        tags=["ingestion"],
        request=openapi.AccountEventBatchSerializer,
        responses={
            201: OpenApiResponse(
                openapi.BatchResultSerializer,
                description="One result per record: `recorded` now or `duplicate`.",
            ),
            **problem_responses(**_COMMON_PROBLEMS, **{"409": _CONFLICT}),
        },
        examples=[
            openapi.ACCOUNT_EXAMPLE,
            openapi.ACCOUNT_ANSWER,
            openapi.VALIDATION_EXAMPLE,
            openapi.CONFLICT_EXAMPLE,
        ],
    )
    def post(self, request):
        partner = request.user.partner
        events = validation.validate_account_batch(request.data, platform_code=partner.code)
        results = services.account_events_record(partner, events, credential=request.auth)
        return Response(_batch_body(results), status=201)


class ReceiptView(APIView):
    """An entry with its signature. Partner software sees only its own log."""

    @extend_schema(
        operation_id="ledger_receipt",
        tags=["ledger"],
        summary="A signed entry",
        description=(
            "The entry with its leaf hash, signature and key id (the line format of export "
            "bundles). Auditors and bureau staff may read any log; partner software only its "
            "own (another partner's log answers 404)."
        ),
        parameters=[
            LOG_ID_PARAMETER,
            OpenApiParameter("seq", OpenApiTypes.INT, OpenApiParameter.PATH),
        ],
        responses={
            200: EntryRecordSerializer,
            **problem_responses(
                **{
                    "401": "No or a wrong key.",
                    "403": "A staff token without permission to read the ledger.",
                    "404": "No such entry (or not yours).",
                    "429": "Too many requests for this key; retry after `Retry-After` seconds.",
                }
            ),
        },
    )
    def get(self, request, log_id: str, seq: int):
        user = request.user
        if isinstance(user, PartnerPrincipal):
            # 404, not 403: whether another partner's log has an entry is not ours to say.
            if log_id not in user.log_ids:
                raise NotFound(_("Log %(log)s has no entry %(seq)s.") % {"log": log_id, "seq": seq})
        else:
            self.check_ledger_permission(request)
        return Response(entry_record(ledger_selectors.entry_get(log_id, seq)))

    def check_ledger_permission(self, request) -> None:
        if not request.user.has_perm("ledger.view_ledgerentry"):
            self.permission_denied(request, message="This token may not read the ledger.")
