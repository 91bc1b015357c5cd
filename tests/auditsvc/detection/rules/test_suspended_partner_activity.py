"""suspended_partner_activity: a partner that is not approved keeps reporting."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from partners.services.vetting import vetting_suspend
from tests.auditsvc.detection.support import account, alerts, detect, read, read_many

RULE = "suspended_partner_activity"


def test_it_fires_high_on_reads_after_a_suspension(partner, approver):
    vetting_suspend(partner, actor=approver, reason="Complaint from a village doctor.")
    read(partner, timezone.now() + dt.timedelta(seconds=1), 1)
    detect(RULE)
    (alert,) = alerts(RULE)
    assert (alert.subject_kind, alert.subject_ref, alert.severity) == (
        "partner",
        partner.code,
        "high",
    )


def test_it_is_critical_from_twenty_residents(partner, approver):
    vetting_suspend(partner, actor=approver, reason="Complaint from a village doctor.")
    read_many(partner, timezone.now() + dt.timedelta(seconds=1), range(1, 21))
    detect(RULE)
    assert [alert.severity for alert in alerts(RULE)] == ["critical"]


def test_it_covers_account_platforms_too(platform, approver):
    vetting_suspend(platform, actor=approver, reason="Licence withdrawn.")
    account(platform, timezone.now() + dt.timedelta(seconds=1), 1)
    detect(RULE)
    assert [alert.partner_id for alert in alerts(RULE)] == [platform.pk]


def test_it_is_silent_for_an_approved_partner(partner, yesterday):
    read(partner, timezone.now() - dt.timedelta(hours=1), 1)
    detect(RULE)
    assert alerts(RULE) == []
