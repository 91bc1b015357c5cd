"""The auto-suspend policy: a critical alert suspends an approved partner, by the system."""

from __future__ import annotations

from partners.choices import PartnerStatus
from partners.services.vetting import vetting_system_suspend

from ..models import Alert

__all__ = ["auto_suspend_partner"]


def auto_suspend_partner(alert: Alert) -> bool:
    """Suspend the alert's partner if it is approved; True if it was suspended now.

    The suspension is an ordinary vetting decision by the system actor (its
    bureau-log entry names the alert); reinstating is a normal vetting move.
    """
    partner = alert.partner
    partner.refresh_from_db(fields=["status"])
    if partner.status != PartnerStatus.APPROVED:
        return False
    vetting_system_suspend(
        partner,
        reason=f"Automatic: critical alert #{alert.pk} ({alert.rule}).",
        alert_id=alert.pk,
    )
    return True
