"""Triage: staff assign alerts, take them under review, close them; approvers open investigations.

Every change is one atomic function that locks the alert, checks the
actor's permission and the status move, and writes a bureau-log entry
(``alert.triaged``) naming the actor: the bureau can show later who
dismissed what, and why. Closing is final; a later finding for the same
window updates the numbers but never reopens it by itself.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from auditsvc.base.actors import actor_fields
from auditsvc.base.identities import contains_personal_number
from auditsvc.core.canonical import format_time
from auditsvc.ledger.models import BUREAU_LOG_ID
from auditsvc.ledger.services import ledger_append

from ..choices import Status
from ..errors import IllegalTriage, NoteRefused, TriageNotPermitted
from ..kinds import DetectionKind
from ..models import Alert, AlertNote

__all__ = [
    "INVESTIGATION_PERMISSION",
    "TRIAGE_PERMISSION",
    "alert_add_note",
    "alert_assign",
    "alert_close_benign",
    "alert_close_investigation",
    "alert_start_review",
    "triage_moves_for",
]

TRIAGE_PERMISSION = "detection.triage_alert"
#: Closing with an investigation opened is the approvers' (DESIGN.md "Roles").
INVESTIGATION_PERMISSION = "detection.open_investigation"

#: Where each status may go, and the permission the move needs.
_MOVES: dict[str, dict[str, str]] = {
    Status.NEW: {
        Status.UNDER_REVIEW: TRIAGE_PERMISSION,
        Status.CLOSED_BENIGN: TRIAGE_PERMISSION,
        Status.CLOSED_INVESTIGATION: INVESTIGATION_PERMISSION,
    },
    Status.UNDER_REVIEW: {
        Status.CLOSED_BENIGN: TRIAGE_PERMISSION,
        Status.CLOSED_INVESTIGATION: INVESTIGATION_PERMISSION,
    },
}


def triage_moves_for(alert: Alert, user) -> list[str]:
    """The statuses ``user`` may move ``alert`` to now (the admin offers these buttons)."""
    return [
        status
        for status, permission in _MOVES.get(alert.status, {}).items()
        if user.has_perm(permission)
    ]


def _require(actor, permission: str) -> None:
    if actor is None or not actor.has_perm(permission):
        raise TriageNotPermitted(
            _("This needs the %(permission)s permission.") % {"permission": permission}
        )


def _log(alert: Alert, change: str, actor, **details) -> int:
    entry = ledger_append(
        BUREAU_LOG_ID,
        DetectionKind.ALERT_TRIAGED,
        {
            "alert": alert.pk,
            "rule": alert.rule,
            "partner": alert.partner.code,
            "change": change,
            **details,
            **actor_fields(actor),
            "at": format_time(timezone.now()),
        },
    )
    return entry.seq


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().select_related("partner").get(pk=alert.pk)


def _move(alert: Alert, to_status: str, *, actor, reason: str) -> Alert:
    with transaction.atomic():
        locked = _locked(alert)
        permission = _MOVES.get(locked.status, {}).get(to_status)
        if permission is None:
            raise IllegalTriage(
                _("Alert #%(id)s is %(status)s; it cannot become %(to)s.")
                % {"id": locked.pk, "status": locked.status, "to": to_status},
                field="status",
            )
        _require(actor, permission)
        from_status = locked.status
        locked.status = to_status
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "updated_at"])
        _log(locked, "status", actor, **{"from": from_status, "to": to_status, "reason": reason})
    alert.status, alert.updated_at = locked.status, locked.updated_at
    return alert


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text or contains_personal_number(text):
        raise NoteRefused(field="reason")
    return text


def alert_start_review(alert: Alert, *, actor) -> Alert:
    """new -> under review (staff)."""
    return _move(alert, Status.UNDER_REVIEW, actor=actor, reason="")


def alert_close_benign(alert: Alert, *, actor, reason: str) -> Alert:
    """new or under review -> closed as benign (staff), with the reason."""
    return _move(alert, Status.CLOSED_BENIGN, actor=actor, reason=_reason(reason))


def alert_close_investigation(alert: Alert, *, actor, reason: str) -> Alert:
    """new or under review -> closed, investigation opened (approvers only), with the reason."""
    return _move(alert, Status.CLOSED_INVESTIGATION, actor=actor, reason=_reason(reason))


def alert_assign(alert: Alert, assignee, *, actor) -> Alert:
    """Give an open alert to ``assignee`` (who must be able to triage), or to nobody (None)."""
    _require(actor, TRIAGE_PERMISSION)
    if assignee is not None and not (assignee.is_active and assignee.has_perm(TRIAGE_PERMISSION)):
        raise TriageNotPermitted(
            _("%(user)s cannot triage alerts.") % {"user": assignee.get_username()},
            field="assignee",
        )
    with transaction.atomic():
        locked = _locked(alert)
        if not locked.is_open:
            raise IllegalTriage(_("Alert #%(id)s is closed.") % {"id": locked.pk}, field="assignee")
        if locked.assignee_id == (assignee.pk if assignee else None):
            return alert
        locked.assignee = assignee
        locked.updated_at = timezone.now()
        locked.save(update_fields=["assignee", "updated_at"])
        _log(
            locked,
            "assignee",
            actor,
            assignee=assignee.get_username() if assignee else None,
            assignee_id=assignee.pk if assignee else None,
        )
    alert.assignee, alert.updated_at = locked.assignee, locked.updated_at
    return alert


def alert_add_note(alert: Alert, text: str, *, actor) -> AlertNote:
    """Add a note (staff). Refused when empty or holding an identity or phone number."""
    _require(actor, TRIAGE_PERMISSION)
    text = (text or "").strip()
    if not text or contains_personal_number(text):
        raise NoteRefused(field="text")
    with transaction.atomic():
        locked = _locked(alert)
        seq = _log(locked, "note", actor, note=text)
        note = AlertNote.objects.create(alert=locked, author=actor, text=text, ledger_seq=seq)
        locked.updated_at = note.created_at
        locked.save(update_fields=["updated_at"])
    return note
