"""The error hierarchy's root and the errors every layer shares.

Each layer subclasses ``ServiceError`` in its own ``errors`` module, with a
stable ``code`` and an HTTP ``status``. Services raise them; entry points
translate: the API's exception handler (``auditsvc.base.api.problems``) turns
every one into an RFC 9457 problem-details response, the admin shows its
detail and code, commands print it. Clients depend on the codes.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    """Base of every domain error of the service."""

    code = "service_error"
    status = 400
    title = _("The request cannot be carried out.")

    def __init__(self, detail: str | None = None, *, field: str | None = None) -> None:
        self.detail = detail or self.title
        self.field = field
        super().__init__(self.detail)


class NotFound(ServiceError):
    code = "not_found"
    status = 404
    title = _("Not found.")


class ValidationFailed(ServiceError):
    """Input whose content is malformed; ``errors`` names every bad field.

    Each error is ``{"field": "events[3].resident.value", "code": "invalid_checksum",
    "message": ...}``; no message quotes the submitted value. ``total`` counts
    every error found, when ``errors`` lists only the first of them.
    """

    code = "validation_error"
    status = 400
    title = _("The request is malformed; nothing was recorded.")

    def __init__(
        self, errors: list[dict[str, str]], detail: str | None = None, *, total: int = 0
    ) -> None:
        self.total = max(total, len(errors))
        super().__init__(
            detail or _("%(n)s field(s) are invalid; nothing was recorded.") % {"n": self.total}
        )
        self.errors = errors
