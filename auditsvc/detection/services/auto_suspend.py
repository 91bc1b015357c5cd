"""The auto-suspend policy: a critical alert suspends an approved partner, by the system."""

from __future__ import annotations

from partners.choices import PartnerKind, PartnerStatus
from partners.services.vetting import vetting_system_suspend

from ..models import Alert

__all__ = ["auto_suspend_partner"]


def auto_suspend_partner(alert: Alert) -> bool:
    """Suspend the alert's partner if it is an approved enrolment partner; True if it was now.

    Account platforms are left alone: they report accounts, they read no
    identities through the bureau, and a ring abusing a bank's app does not
    make the bank the culprit.

    The suspension is an ordinary vetting decision by the system actor (its
    bureau-log entry names the alert); reinstating is a normal vetting move.
    """
    partner = alert.partner
    partner.refresh_from_db(fields=["status"])
    if partner.kind != PartnerKind.ENROLMENT_PARTNER or partner.status != PartnerStatus.APPROVED:
        return False
    vetting_system_suspend(
        partner,
        reason=f"Automatic: critical alert #{alert.pk} ({alert.rule}).",
        alert_id=alert.pk,
    )
    return True
