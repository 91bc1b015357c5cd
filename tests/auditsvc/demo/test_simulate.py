"""manage.py simulate: ordinary traffic and a ring, through the services, on the simulated clock."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from auditsvc.demo.sim.people import Population
from auditsvc.demo.sim.plan import AgentCast, PartnerCast, Planner
from auditsvc.demo.sim.ring import Ring, ring_day
from auditsvc.ingestion.models import AccessEvent, AccountEvent, EnrolmentSession
from auditsvc.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
RAW_ID_NUMBER = re.compile(r"\b\d{17}[\dX]\b")


def seed(days: int = 20) -> None:
    call_command("seed_demo", "--force", "--json", "--days", str(days), stdout=io.StringIO())


def simulate(*args) -> dict:
    out = io.StringIO()
    call_command("simulate", "--force", "--json", *args, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def planned(seed: int) -> list[tuple]:
    rng = random.Random(seed)
    planner = Planner(rng, Population(rng, 2026), "P0003")
    partner = PartnerCast("P0001", "411381", [AgentCast("A-0001", "t1"), AgentCast("A-0002", "t2")])
    actions = planner.ordinary_day(partner, dt.date(2026, 11, 24))
    actions += ring_day(planner, Ring.inside(partner, planner), dt.date(2026, 11, 25))
    actions += planner.flush_uploads()
    return [(a.at, a.kind, a.partner, json.dumps(a.body, sort_keys=True)) for a in actions]


def test_the_same_seed_plans_the_same_traffic_and_another_seed_other_traffic():
    assert planned(7) == planned(7)
    assert planned(7) != planned(8)


def test_ordinary_partners_work_in_office_hours_with_sessions_and_break_no_rule():
    seed()
    result = simulate("--days", "2", "--seed", "5")
    assert result["records"]["sessions"] > 20 and result["violations"] == {}
    accesses = AccessEvent.objects.all()
    assert accesses.count() > 20
    assert not accesses.filter(session__isnull=True).exists()
    for occurred in accesses.values_list("occurred_at", flat=True):
        assert dt.time(8) <= occurred.astimezone(SHANGHAI).time() <= dt.time(18)
    # Mostly older residents: helping the elderly is ordinary work.
    year = timezone.now().year
    ages = [year - born for born in EnrolmentSession.objects.values_list("birth_year", flat=True)]
    assert 0.45 < sum(age >= 60 for age in ages) / len(ages) < 0.75
    # The ledger tells the same time: each record arrived when it happened, not now.
    session = EnrolmentSession.objects.select_related("ledger_entry").first()
    assert session.ledger_entry.recorded_at == session.opened_at


def test_residents_open_their_own_accounts_days_later_from_their_own_phones():
    rng = random.Random(3)
    planner = Planner(rng, Population(rng, 2026), "P0003")
    partner = PartnerCast("P0001", "411381", [AgentCast("A-0001", "t1"), AgentCast("A-0002", "t2")])
    day = dt.date(2026, 11, 24)
    actions = planner.ordinary_day(partner, day)
    opened = {
        action.body[0]["holder"]["value"]: action
        for action in actions
        if action.kind == "account" and action.body[0]["action"] == "opened"
    }
    sessions = [action for action in actions if action.kind == "session_open"]
    assert 0.15 < len(opened) / len(sessions) < 0.45
    last_session = max(action.at for action in sessions)
    for action in opened.values():
        assert action.at - last_session > dt.timedelta(days=1)
    phones = [action.body[0]["phone"] for action in opened.values()]
    assert len(set(phones)) == len(phones)


def test_the_ring_reads_late_without_sessions_and_opens_accounts_from_shared_phones():
    seed()
    result = simulate("--days", "2", "--ring", "--ring-days", "1", "--seed", "2")
    assert result["ring"] == "P0002 A-0003"
    for code in ("no_open_session", "outside_hours", "daily_cap_exceeded"):
        assert result["violations"].get(code, 0) > 0, code
    late = AccessEvent.objects.filter(session__isnull=True)
    assert late.count() > 80
    for occurred in late.values_list("occurred_at", flat=True):
        assert occurred.astimezone(SHANGHAI).hour >= 21
    ring_accounts = AccountEvent.objects.filter(channel="e_card_activation", action="opened")
    assert ring_accounts.count() > 30
    assert ring_accounts.values("phone_ref").distinct().count() <= 3
    year = timezone.now().year
    ages = [year - b for b in late.values_list("birth_year", flat=True)]
    assert sum(age >= 65 for age in ages) / len(ages) > 0.85
    # Only pseudonyms reached the partners' logs (the bureau log holds credit codes).
    partner_logs = LedgerEntry.objects.filter(log_id__in=["P0001", "P0002", "P0003"])
    for canonical in partner_logs.values_list("canonical", flat=True).iterator():
        text = canonical if isinstance(canonical, str) else bytes(canonical).decode()
        assert not RAW_ID_NUMBER.search(text)
        assert "+86139" not in text


def test_it_refuses_without_seed_demo_and_a_second_time_and_skips_when_asked():
    with pytest.raises(CommandError, match="seed_demo"):
        simulate("--days", "2")
    seed()
    simulate("--days", "1")
    size = LedgerEntry.objects.count()
    with pytest.raises(CommandError, match="already hold"):
        simulate("--days", "1")
    out = io.StringIO()
    call_command("simulate", "--force", "--days", "1", "--skip-if-done", stdout=out)
    assert "nothing sent" in out.getvalue()
    assert LedgerEntry.objects.count() == size


def test_it_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    seed()
    with pytest.raises(CommandError, match="--force"):
        call_command("simulate", "--days", "1", stdout=io.StringIO())
