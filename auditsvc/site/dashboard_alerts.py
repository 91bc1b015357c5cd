"""The dashboard's open-alerts panel: counts by severity and the alerts to look at first.

Two queries whatever the number of alerts (a grouped count, and the first
rows by severity then time); the links lead to the filtered alert queue.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode

from auditsvc.detection import selectors
from auditsvc.detection.choices import OPEN_STATUSES, Severity
from auditsvc.detection.evidence import render_evidence

#: Alerts listed on the dashboard; the rest are in the queue.
PANEL_ROWS = 10


def open_alerts_panel() -> dict:
    queue = reverse("admin:detection_alert_changelist")
    open_statuses = ",".join(str(status) for status in OPEN_STATUSES)
    counts = selectors.open_alert_counts()
    return {
        "by_severity": [
            {
                "severity": severity,
                "label": Severity(severity).label,
                "count": count,
                "url": f"{queue}?{urlencode({'status__in': open_statuses, 'severity': severity})}",
            }
            for severity, count in counts.items()
        ],
        "total": sum(counts.values()),
        "rows": [
            {
                "alert": alert,
                "evidence": render_evidence(alert.evidence_code, alert.numbers),
                "url": reverse("admin:detection_alert_change", args=[alert.pk]),
            }
            for alert in selectors.open_alerts(PANEL_ROWS)
        ],
        "queue_url": f"{queue}?{urlencode({'status__in': open_statuses})}",
        "risk_url": reverse("admin:detection_alert_risk"),
    }
