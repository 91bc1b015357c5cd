"""``GET /api/v1/alerts``: alerts for bureau staff and auditors (personal API tokens).

Thin: the query parameters are checked here (an unknown code is a 400 that
names the field), the selector filters, DRF's page-number pagination pages.
The evidence sentence is rendered in the language the caller asks for
(``Accept-Language``), like the admin renders it in the reader's.
"""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import APIView

from auditsvc.base.api.renderers import JSONRenderer
from auditsvc.base.api.schema import problem_responses
from auditsvc.base.errors import ValidationFailed
from auditsvc.core.canonical import format_time
from partners.auth import PartnerPrincipal

from . import selectors
from .choices import RuleCode, Severity, Status, SubjectKind
from .evidence import render_evidence
from .models import Alert


class CanReadAlerts(permissions.BasePermission):
    """A staff or auditor token whose user may view alerts; partner keys never."""

    message = "This endpoint takes a staff or auditor token allowed to read alerts."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if isinstance(user, PartnerPrincipal):
            return False
        return bool(user and user.has_perm("detection.view_alert"))


class AlertPages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class WindowSerializer(serializers.Serializer):
    from_ = serializers.DateTimeField(help_text="Start (inclusive), UTC.")
    to = serializers.DateTimeField(help_text="End (exclusive), UTC.")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class SubjectSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SubjectKind.choices)
    ref = serializers.CharField(
        help_text="Agent code, partner code, session id, or a device or phone pseudonym."
    )


class EntryRefSerializer(serializers.Serializer):
    log = serializers.CharField()
    seq = serializers.IntegerField()


class AlertSerializer(serializers.Serializer):
    """An alert as DESIGN.md gives it (describes the answer; nothing is parsed with it)."""

    id = serializers.IntegerField()
    rule = serializers.ChoiceField(choices=RuleCode.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    partner = serializers.CharField(
        help_text="The partner's code (for account_opened_near_session the enrolment partner)."
    )
    subject = SubjectSerializer()
    window = WindowSerializer()
    evidence = serializers.CharField(help_text="The evidence sentence, in the caller's language.")
    numbers = serializers.DictField(help_text="The numbers behind the sentence.")
    entries = EntryRefSerializer(many=True, help_text="Ledger entries of the records behind it.")
    assignee = serializers.CharField(allow_null=True, help_text="Username, or null.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class AlertPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AlertSerializer(many=True)


def alert_body(alert: Alert) -> dict:
    return {
        "id": alert.pk,
        "rule": alert.rule,
        "severity": alert.severity,
        "status": alert.status,
        "partner": alert.partner.code,
        "subject": {"kind": alert.subject_kind, "ref": alert.subject_ref},
        "window": {"from": format_time(alert.window_start), "to": format_time(alert.window_end)},
        "evidence": render_evidence(alert.evidence_code, alert.numbers),
        "numbers": alert.numbers,
        "entries": alert.entries,
        "assignee": alert.assignee.get_username() if alert.assignee else None,
        "created_at": format_time(alert.created_at),
        "updated_at": format_time(alert.updated_at),
    }


_CHOICES = {"rule": RuleCode, "status": Status, "severity": Severity}


def _filters(params) -> dict:
    errors = []
    found: dict = {}
    for name, choices in _CHOICES.items():
        value = params.get(name)
        if value in (None, ""):
            continue
        if value not in choices.values:
            errors.append(
                {
                    "field": name,
                    "code": "invalid_choice",
                    "message": f"Not a known {name}; one of: {', '.join(choices.values)}.",
                }
            )
        found[name] = value
    partner = params.get("partner")
    if partner:
        found["partner"] = partner
    since = params.get("since")
    if since:
        try:
            moment = dt.datetime.fromisoformat(since)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            errors.append(
                {
                    "field": "since",
                    "code": "invalid_time",
                    "message": "An RFC 3339 time with an offset, e.g. 2026-05-01T00:00:00+08:00.",
                }
            )
        found["since"] = moment
    if errors:
        raise ValidationFailed(errors, "One or more query parameters are invalid.")
    return found


_CODE_PARAMETERS = [
    OpenApiParameter(name, OpenApiTypes.STR, enum=list(choices.values), required=False)
    for name, choices in _CHOICES.items()
]


class AlertListView(APIView):
    """Alerts, newest first, for bureau staff and auditors."""

    permission_classes = [CanReadAlerts]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="alerts_list",
        tags=["detection"],
        summary="Alerts",
        description=(
            "Alerts raised by the detection rules, newest first, paginated (`page`, "
            "`page_size` up to 500). Filters: `partner` (code), `rule`, `status`, `severity`, "
            "`since` (alerts created or updated at or after this time). The evidence sentence "
            "follows `Accept-Language` (English or Chinese)."
        ),
        parameters=[
            OpenApiParameter("partner", OpenApiTypes.STR, required=False),
            *_CODE_PARAMETERS,
            OpenApiParameter("since", OpenApiTypes.DATETIME, required=False),
            OpenApiParameter("page", OpenApiTypes.INT, required=False),
            OpenApiParameter("page_size", OpenApiTypes.INT, required=False),
        ],
        responses={
            200: AlertPageSerializer,
            **problem_responses(
                **{
                    "400": "An unknown rule, status or severity, or a malformed time.",
                    "401": "No or a wrong token.",
                    "403": "A partner key, or a token whose user may not read alerts.",
                    "404": "No such page.",
                    "429": "Too many requests for this token; retry after `Retry-After` seconds.",
                }
            ),
        },
    )
    def get(self, request):
        alerts = selectors.alert_list(**_filters(request.query_params))
        pages = AlertPages()
        page = pages.paginate_queryset(alerts, request, view=self)
        language = translation.get_language_from_request(request)
        with translation.override(language):
            results = [alert_body(alert) for alert in page]
        return pages.get_paginated_response(results)
