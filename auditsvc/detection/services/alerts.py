"""Turning findings into alerts: one alert per rule, partner, subject and window.

A finding for a window that already has an alert updates it (numbers,
evidence, ledger references; the severity only rises); the triage status,
assignee and notes stay as staff left them. When an alert first becomes
critical the approvers are e-mailed and, if the bureau turned the policy
on, the partner is suspended (``services.critical``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..choices import Severity, higher_severity
from ..models import Alert
from ..rules import Finding
from .critical import on_critical

__all__ = ["alert_record_finding", "finding_entries"]


def finding_entries(finding: Finding) -> list[dict]:
    """The ledger references of the records behind ``finding``, oldest first, capped."""
    cap = settings.DETECTION_EVIDENCE_MAX_ENTRIES
    refs: list[tuple[str, int]] = []
    for records in finding.records:
        refs += list(
            records.order_by("ledger_entry__seq").values_list(
                "ledger_entry__log_id", "ledger_entry__seq"
            )[:cap]
        )
    refs = sorted(set(refs), key=lambda ref: (ref[0], ref[1]))[:cap]
    return [{"log": log, "seq": seq} for log, seq in refs]


def alert_record_finding(finding: Finding) -> tuple[Alert, bool]:
    """Create the finding's alert, or update the one its window already has; (alert, created).

    Runs inside the engine's transaction. Two workers finding the same
    window at once (a rule joining two logs) meet at the unique constraint:
    the loser updates the winner's row.
    """
    key = {
        "rule": finding.rule,
        "partner_id": finding.partner_id,
        "subject_kind": finding.subject_kind,
        "subject_ref": finding.subject_ref,
        "window_start": finding.window_start,
        "window_end": finding.window_end,
    }
    entries = finding_entries(finding)
    now = timezone.now()
    alert = Alert.objects.select_for_update().filter(**key).first()
    created = False
    if alert is None:
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    **key,
                    severity=finding.severity,
                    evidence_code=finding.evidence_code,
                    numbers=finding.numbers,
                    entries=entries,
                    created_at=now,
                    updated_at=now,
                )
                created = True
        except IntegrityError:
            alert = Alert.objects.select_for_update().get(**key)
    was_critical = not created and alert.severity == Severity.CRITICAL
    if not created:
        alert.severity = higher_severity(alert.severity, finding.severity)
        alert.evidence_code = finding.evidence_code
        alert.numbers = finding.numbers
        alert.entries = entries
        alert.updated_at = now
        alert.save(
            update_fields=[
                "severity",
                "evidence_code",
                "numbers",
                "entries",
                "updated_at",
            ]
        )
    if alert.severity == Severity.CRITICAL and not was_critical:
        on_critical(alert)
    return alert, created
