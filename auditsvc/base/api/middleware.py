"""Headers every API answer carries."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .problems import is_api_path


class ApiAnswersMiddleware:
    """``Cache-Control: no-store`` on every answer under /api/.

    Answers carry receipts, session ids and partners' records: no proxy or
    browser cache may keep them, and a cached answer to a POST would hide
    whether the record was really recorded.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_api_path(request.path_info):
            response["Cache-Control"] = "no-store"
        return response
