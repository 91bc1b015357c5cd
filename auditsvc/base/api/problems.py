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

from django.core.exceptions import RequestDataTooBig
from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from auditsvc.base.errors import ServiceError, ValidationFailed

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "https://auditsvc.example/problems/"
# A 400 lists at most this many field errors; ``error_count`` gives the total.
MAX_ERRORS_LISTED = 100

logger = logging.getLogger(__name__)


def problem_response(
    status: int, code: str, title: str, detail: str, *, headers: dict | None = None, **extra: Any
) -> Response:
    # Titles and details are translated (lazily): rendered in the request's language now.
    body = {"type": PROBLEM_BASE + code, "title": str(title), "status": status, "code": code}
    body["detail"] = str(detail)
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


def _messages_as_text(errors: list[dict]) -> list[dict]:
    # A message may be a lazy translation: the answer carries its text in the request's language.
    return [
        {**error, "message": str(error["message"])} if "message" in error else error
        for error in errors
    ]


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ValidationFailed):
        # Capped: 266,991 unknown keys once made a 44.8 MB answer.
        return problem_response(
            exc.status,
            exc.code,
            exc.title,
            exc.detail,
            errors=_messages_as_text(exc.errors[:MAX_ERRORS_LISTED]),
            error_count=max(exc.total, len(exc.errors)),
        )
    if isinstance(exc, ServiceError):
        errors = getattr(exc, "errors", None)
        if errors is not None:
            # Not capped: a conflict names every conflicting record (at most a batch).
            extra = {"errors": _messages_as_text(errors)}
        elif exc.field:
            extra = {"errors": [{"field": exc.field, "code": exc.code, "message": str(exc.detail)}]}
        else:
            extra = {}
        return problem_response(exc.status, exc.code, exc.title, exc.detail, **extra)
    if isinstance(exc, RequestDataTooBig):
        return problem_response(413, *_TOO_LARGE)

    response = drf_exception_handler(exc, context)
    if response is None:
        return _internal_error(exc, context)
    if isinstance(exc, exceptions.ValidationError):
        return problem_response(
            400,
            "validation_error",
            _("The request is malformed; nothing was recorded."),
            _("One or more fields are invalid."),
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


_TOO_LARGE = (
    "request_too_large",
    _("The request body is too large; nothing was recorded."),
    _(
        "The body is larger than the service accepts (DATA_UPLOAD_MAX_MEMORY_SIZE); every "
        "valid batch fits, so split the batch or check what is being sent."
    ),
)


_INTERNAL_ERROR_DETAIL = _(
    "The service failed to handle this request. The error has been logged; "
    "retry later (resending is safe: records are idempotent) or contact the bureau."
)


def _plain_problem(status: int, code: str, title: str, detail: str) -> HttpResponse:
    """A problem answer outside DRF (URL resolution, Django's error handlers)."""
    body = {"type": PROBLEM_BASE + code, "title": str(title), "status": status, "code": code}
    body["detail"] = str(detail)
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


def is_api_path(path: str) -> bool:
    """Whether ``path`` is under /api/, where every answer is problem+json."""
    return path == "/api" or path.startswith("/api/")


def api_not_found(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """The answer to a path under /api/ that names no endpoint (the catch-all route)."""
    return _plain_problem(
        404,
        "not_found",
        _("Not found."),
        _("No API endpoint at this path; see /api/schema/ for the endpoints."),
    )


def api_or_page_404(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: problem+json under /api/, Django's page elsewhere."""
    if is_api_path(request.path):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


def api_or_page_500(request: HttpRequest) -> HttpResponse:
    """``handler500``: problem+json under /api/ (revealing nothing), Django's page elsewhere."""
    if is_api_path(request.path):
        return _plain_problem(
            500,
            "internal_error",
            _("Internal error."),
            _INTERNAL_ERROR_DETAIL,
        )
    return defaults.server_error(request)


def api_or_page_400(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: problem+json under /api/, Django's page elsewhere.

    Django answers a body over DATA_UPLOAD_MAX_MEMORY_SIZE read outside DRF
    with this handler (RequestDataTooBig is a SuspiciousOperation): 413 then.
    """
    if is_api_path(request.path):
        if isinstance(exception, RequestDataTooBig):
            return _plain_problem(413, *_TOO_LARGE)
        return _plain_problem(
            400, "bad_request", _("Bad request."), _("The request cannot be read as sent.")
        )
    return defaults.bad_request(request, exception)


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
        _("Internal error."),
        _INTERNAL_ERROR_DETAIL,
    )
