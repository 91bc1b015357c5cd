"""seed_demo's history on the simulated clock: decisions days back, traffic after them, keys now."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from auditsvc.ingestion.models import AccessEvent, AccountEvent, EnrolmentSession
from auditsvc.ledger.models import LedgerEntry
from auditsvc.ledger.services import ledger_append
from partners.models import Agent, ApiCredential, Letter, Partner, VettingDecision
from tests.conftest import bearer_client
from tests.factories import make_resident_id
from tests.partners.support import ledger_size

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def seed_json(*args) -> dict:
    out = io.StringIO()
    call_command("seed_demo", "--force", "--json", *args, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def days_ago(moment: dt.datetime) -> float:
    return (timezone.now() - moment) / dt.timedelta(days=1)


def test_it_dates_the_bureau_decisions_ninety_days_back_and_the_keys_now():
    seed_json()
    for decision in VettingDecision.objects.all():
        assert 89.9 < days_ago(decision.decided_at) < 90.1
    for agent in Agent.objects.all():
        assert 89.9 < days_ago(agent.created_at) < 90.1
    for letter in Letter.objects.all():
        assert 89.9 < days_ago(letter.issued_at) < 90.1
    for credential in ApiCredential.objects.filter(revoked_at__isnull=True):
        assert days_ago(credential.created_at) < 0.01
    # The ledger tells the same story: its first entry 90 days back, its last one now.
    times = LedgerEntry.objects.order_by("recorded_at").values_list("recorded_at", flat=True)
    assert 89.9 < days_ago(times[0]) < 90.1
    assert days_ago(times.last()) < 0.01


def test_its_demo_activity_follows_the_approvals_and_breaks_no_rule():
    seed_json()
    sessions = list(EnrolmentSession.objects.all())
    accesses = list(AccessEvent.objects.all())
    accounts = list(AccountEvent.objects.all())
    assert len(sessions) == 2 and len(accesses) == 2 and len(accounts) == 1
    for record in [*sessions, *accesses, *accounts]:
        assert record.violations == "", record
    opened = sessions[0].opened_at.astimezone(SHANGHAI)
    assert (opened.hour, opened.minute) == (10, 0)
    assert 88 < days_ago(opened) < 90


def test_the_days_option_moves_the_start(settings):
    seed_json("--days", "20")
    for decision in VettingDecision.objects.all():
        assert 19.9 < days_ago(decision.decided_at) < 20.1


def test_a_partner_guide_example_dated_ten_days_ago_is_not_flagged_not_approved(
    relaxed_throttle,
):
    data = seed_json()
    partner = next(p for p in data["partners"] if p["kind"] == "enrolment_partner")
    # The guide's example session: 09:30 in Beijing, some days before the reader runs it.
    opened = (timezone.now() - dt.timedelta(days=10)).astimezone(SHANGHAI)
    opened = opened.replace(hour=9, minute=30, second=0, microsecond=0)
    response = bearer_client(partner["api_key"]).post(
        "/api/v1/sessions",
        {
            "client_session_id": "s-1",
            "agent": partner["agents"][0],
            "resident": {
                "scheme": "cn-resident-id",
                "value": make_resident_id(partner["region_codes"][0], dt.date(1949, 12, 31)),
            },
            "purpose": "card_activation",
            "region_code": partner["region_codes"][0],
            "device": "tablet-0042",
            "opened_at": opened.isoformat(),
            "consent_ref": "consent-2026-000123",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["violations"] == []


def test_it_refuses_a_ledger_it_did_not_write_and_writes_nothing():
    ledger_append("P0999", "access.recorded", {"n": 1})
    size = ledger_size()
    with pytest.raises(CommandError, match="empty ledger"):
        seed_json()
    assert ledger_size() == size
    assert not Partner.objects.exists()


def test_a_second_run_builds_no_second_history():
    seed_json()
    decisions = VettingDecision.objects.count()
    sessions = EnrolmentSession.objects.count()
    seed_json()
    assert VettingDecision.objects.count() == decisions
    assert EnrolmentSession.objects.count() == sessions


def test_it_refuses_a_history_longer_than_the_letters_run():
    with pytest.raises(CommandError, match="--days"):
        seed_json("--days", "400")
