"""RFC 9457 problem details for every API error.

One exception handler turns DRF's exceptions and our ServiceError hierarchy
into ``application/problem+json`` with a stable ``code`` and, for validation
failures, an ``errors`` list naming each failing field with its own code:

    {"type": "https://auditsvc.example/problems/validation_error",
     "title": "...", "status": 400, "code": "validation_error",
     "detail": "...", "errors": [{"field": "events[3].resident.value",
                                  "code": "invalid_checksum", "message": "..."}]}
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.signals import got_request_exception
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from auditsvc.base.errors import ServiceError, ValidationFailed

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "https://auditsvc.example/problems/"

logger = logging.getLogger(__name__)


def problem_response(
    status: int, code: str, title: str, detail: str, *, headers: dict | None = None, **extra: Any
) -> Response:
    body = {"type": PROBLEM_BASE + code, "title": title, "status": status, "code": code}
    body["detail"] = detail
    body.update(extra)
    response = Response(body, status=status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)
    return response


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested ValidationError detail as a flat list of {field, code, message}."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = key if not prefix else f"{prefix}.{key}"
            if key == "non_field_errors":
                name = prefix
            out.extend(_flatten(value, name))
        return out
    if isinstance(detail, list):
        out = []
        for i, value in enumerate(detail):
            if isinstance(value, dict | list):
                out.extend(_flatten(value, f"{prefix}[{i}]"))
            else:
                out.extend(_flatten(value, prefix))
        return out
    return [{"field": prefix, "code": getattr(detail, "code", "invalid"), "message": str(detail)}]


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ValidationFailed):
        return problem_response(exc.status, exc.code, exc.title, exc.detail, errors=exc.errors)
    if isinstance(exc, ServiceError):
        extra = (
            {"errors": [{"field": exc.field, "code": exc.code, "message": exc.detail}]}
            if exc.field
            else {}
        )
        return problem_response(exc.status, exc.code, exc.title, exc.detail, **extra)

    response = drf_exception_handler(exc, context)
    if response is None:
        return _internal_error(exc, context)
    if isinstance(exc, exceptions.ValidationError):
        return problem_response(
            400,
            "validation_error",
            "The request is malformed; nothing was recorded.",
            "One or more fields are invalid.",
            errors=_flatten(exc.detail),
        )
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    if not isinstance(code, str):
        code = "error"
    detail = str(getattr(exc, "detail", exc))
    headers = {
        k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")
    }
    return problem_response(response.status_code, code, detail, detail, headers=headers)


def _internal_error(exc: Exception, context: dict) -> Response:
    """A bug: answer a problem+json 500 that reveals nothing, and make the error visible.

    The traceback is logged (never the request body, which may hold raw
    identity numbers), and ``got_request_exception`` is sent as Django's own
    500 handling does, so error reporters and the test client still see it.
    """
    request = context.get("request")
    django_request = getattr(request, "_request", request)
    logger.exception(
        "Unhandled error answering %s %s",
        getattr(django_request, "method", "?"),
        getattr(django_request, "path", "?"),
        exc_info=exc,
    )
    set_rollback()
    got_request_exception.send(sender=None, request=django_request)
    return problem_response(
        500,
        "internal_error",
        "Internal error.",
        "The service failed to handle this request. The error has been logged; "
        "retry later (resending is safe: records are idempotent) or contact the bureau.",
    )
