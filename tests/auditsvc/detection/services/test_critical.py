"""Critical alerts: the approvers are e-mailed; the auto-suspend policy, off by default."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail

from auditsvc.ledger.models import LedgerEntry
from partners.services.vetting import vetting_reinstate
from tests.auditsvc.detection.support import account, alerts, detect, local, open_session

AGENT_DEVICE = "d" * 64


def ring(partner, platform, day, residents=5):
    """Accounts opened from the agent's own device right after its sessions: critical."""
    for n in range(1, residents + 1):
        session = open_session(partner, local(day, 9) + dt.timedelta(minutes=30 * n), n)
        account(platform, session.closed_at + dt.timedelta(minutes=3), n, device=AGENT_DEVICE)


@pytest.fixture
def people(staff, approver, second_approver, auditor):
    return staff, approver, second_approver, auditor


def test_a_critical_alert_is_mailed_to_the_approvers_once(
    partner, platform, yesterday, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ring(partner, platform, yesterday)
        detect()
    (alert,) = [a for a in alerts() if a.severity == "critical"]
    (message,) = mail.outbox
    assert sorted(message.to) == ["approver2@ybj.example", "approver@ybj.example"]
    assert f"#{alert.pk}" in message.subject
    assert "accounts were opened" in message.body
    assert f"/admin/detection/alert/{alert.pk}/change/" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        detect()  # nothing new; and an update of a critical alert sends nothing again
    assert len(mail.outbox) == 1


def test_auto_suspend_is_off_by_default(partner, platform, yesterday, people):
    ring(partner, platform, yesterday)
    detect()
    partner.refresh_from_db()
    assert partner.status == "approved"


def test_auto_suspend_suspends_the_partner_by_the_system(
    partner, platform, yesterday, people, settings
):
    settings.DETECTION_AUTO_SUSPEND = True
    ring(partner, platform, yesterday)
    detect()
    partner.refresh_from_db()
    platform.refresh_from_db()
    assert partner.status == "suspended"
    assert platform.status == "approved"  # a platform is never suspended by the policy
    (alert,) = [a for a in alerts() if a.severity == "critical"]
    (entry,) = LedgerEntry.objects.filter(log_id="bureau", kind="partner.vetting")
    body = json.loads(entry.canonical)["body"]
    assert (body["to"], body["actor"], body["actor_id"], body["alert"]) == (
        "suspended",
        None,
        None,
        alert.pk,
    )
    decision = partner.decisions.get(to_status="suspended")
    assert decision.actor is None
    # Reinstating is a normal vetting move by an approver.
    vetting_reinstate(partner, actor=people[1], reason="Investigated: the agent was dismissed.")
    partner.refresh_from_db()
    assert partner.status == "approved"
