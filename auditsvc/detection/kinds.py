"""The ledger entry kinds detection writes to the bureau log (registered in ``apps.py``)."""

from enum import StrEnum


class DetectionKind(StrEnum):
    # A member of staff changed an alert's triage: assignee, status or a note.
    # (The auto-suspend policy's suspension is a partner.vetting entry with no
    # actor that names the alert: the vetting service writes it.)
    ALERT_TRIAGED = "alert.triaged"
