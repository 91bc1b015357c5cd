"""Errors of detection and triage, each with a stable code and HTTP status."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from auditsvc.base.errors import ServiceError


class DetectionError(ServiceError):
    code = "detection_error"


class TriageNotPermitted(DetectionError):
    code = "not_permitted"
    status = 403
    title = _("You do not hold the permission this triage step needs.")


class IllegalTriage(DetectionError):
    code = "illegal_triage"
    status = 409
    title = _("This triage step is not allowed from the alert's current status.")


class NoteRefused(DetectionError):
    code = "note_refused"
    title = _("A note must not be empty nor hold an identity or phone number.")
