"""Errors of export requests, each with a stable code and HTTP status (clients depend on them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from auditsvc.base.errors import ServiceError


class ExportError(ServiceError):
    code = "export_error"
    status = 400
    title = _("The export cannot be made.")


class UnknownLog(ExportError):
    code = "unknown_log"
    status = 400
    title = _("There is no such log.")


class InvalidRange(ExportError):
    code = "invalid_range"
    status = 400
    title = _("The time range is not valid.")


class InvalidPreviousSize(ExportError):
    code = "invalid_previous_size"
    status = 400
    title = _("The previous checkpoint size is not valid for this log.")


class ExportNotReady(ExportError):
    code = "export_not_ready"
    status = 409
    title = _("The export is not finished.")


class ExportGone(ExportError):
    code = "export_gone"
    status = 410
    title = _("The export's file has been removed.")
