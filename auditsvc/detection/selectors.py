"""Reads of detection: alert lists for the API and admin, risk summaries, open alerts."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When

from .choices import OPEN_STATUSES, SEVERITY_ORDER, Severity
from .models import Alert

__all__ = ["alert_list", "open_alert_counts", "open_alerts", "risk_summary", "triage_candidates"]


def alert_list(
    *,
    partner: str | None = None,
    rule: str | None = None,
    status: str | None = None,
    severity: str | None = None,
    since: dt.datetime | None = None,
) -> QuerySet[Alert]:
    """Alerts, newest first, filtered by partner code, rule, status, severity, changed since."""
    alerts = Alert.objects.select_related("partner", "assignee").order_by("-created_at", "-id")
    if partner:
        alerts = alerts.filter(partner__code=partner)
    if rule:
        alerts = alerts.filter(rule=rule)
    if status:
        alerts = alerts.filter(status=status)
    if severity:
        alerts = alerts.filter(severity=severity)
    if since is not None:
        alerts = alerts.filter(updated_at__gte=since)
    return alerts


def _severity_counts(prefix: str = "") -> dict:
    return {
        f"{prefix}{severity}": Count("id", filter=Q(severity=severity))
        for severity in reversed(SEVERITY_ORDER)
    }


def risk_summary(*, by_agent: bool = False) -> list[dict]:
    """Per partner (or per partner and agent): open alerts by severity, all alerts, newest.

    Built from the alerts alone, counted in the database; sorted riskiest first.
    """
    alerts = Alert.objects.filter(status__in=OPEN_STATUSES)
    if by_agent:
        alerts = alerts.filter(subject_kind="agent")
    keys = ["partner_id", "partner__code", "partner__legal_name"]
    keys += ["subject_ref"] if by_agent else []
    rows = list(
        alerts.values(*keys)
        .annotate(open=Count("id"), **_severity_counts(), newest=Max("updated_at"))
        .order_by()
    )
    rows.sort(
        key=lambda row: (
            *(-row[severity] for severity in reversed(SEVERITY_ORDER)),
            row["partner__code"],
        )
    )
    return rows


def open_alert_counts() -> dict[str, int]:
    """Open alerts by severity, highest first (the dashboard's panel)."""
    totals = Alert.objects.filter(status__in=OPEN_STATUSES).aggregate(**_severity_counts())
    return {severity: totals[severity] for severity in reversed(Severity.values)}


def triage_candidates():
    """Active users who may triage alerts: the choices of an assignee."""
    from django.contrib.auth import get_user_model

    may = (
        Q(groups__permissions__codename="triage_alert")
        | Q(user_permissions__codename="triage_alert")
        | Q(is_superuser=True)
    )
    return get_user_model().objects.filter(may, is_active=True).distinct().order_by("username")


def open_alerts(limit: int) -> list[Alert]:
    """The open alerts to look at first: highest severity, then newest."""
    rank = Case(
        *(When(severity=severity, then=Value(i)) for i, severity in enumerate(SEVERITY_ORDER)),
        output_field=IntegerField(),
    )
    return list(
        Alert.objects.filter(status__in=OPEN_STATUSES)
        .select_related("partner", "assignee")
        .annotate(_rank=rank)
        .order_by("-_rank", "-updated_at", "-id")[:limit]
    )
