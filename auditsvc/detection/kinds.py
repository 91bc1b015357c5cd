"""The ledger entry kinds detection writes to the bureau log (registered in ``apps.py``)."""

from enum import StrEnum


class DetectionKind(StrEnum):
    # A person (or the system) changed an alert's triage: assignee, status or a note.
    ALERT_TRIAGED = "alert.triaged"
    # The auto-suspend policy acted on a critical alert (the suspension itself
    # is a partner.vetting entry written by the vetting service).
    ALERT_AUTO_ACTION = "alert.auto_action"
