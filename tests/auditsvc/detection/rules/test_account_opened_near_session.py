"""account_opened_near_session: accounts opened for residents around their enrolment sessions."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.auditsvc.detection.support import account, alerts, detect, local, open_session

RULE = "account_opened_near_session"
AGENT_DEVICE = "d" * 64


def enrol(partner, day, residents, *, minutes=20):
    return [
        open_session(partner, local(day, 9) + dt.timedelta(minutes=30 * n), n, minutes=minutes)
        for n in residents
    ]


def test_it_fires_on_accounts_minutes_after_the_sessions(partner, platform, yesterday):
    done = enrol(partner, yesterday, [1, 2])
    for session, n in zip(done, [1, 2], strict=True):
        account(platform, session.closed_at + dt.timedelta(minutes=5), n)
    detect(RULE)
    (alert,) = alerts(RULE)
    assert alert.partner_id == partner.pk  # the enrolment partner...
    assert alert.numbers["platforms"] == platform.code  # ...and the platform, named
    assert (alert.subject_kind, alert.subject_ref) == ("agent", "A-0001")
    assert alert.numbers["count"] == 2
    assert alert.severity == "medium"
    logs = {entry["log"] for entry in alert.entries}
    assert logs == {partner.code, platform.code}


@pytest.mark.parametrize(("minutes_after", "fires"), [(60, True), (61, False)])
def test_the_window_after_the_close_is_the_boundary(
    partner, platform, yesterday, minutes_after, fires
):
    for session, n in zip(enrol(partner, yesterday, [1, 2]), [1, 2], strict=True):
        account(platform, session.closed_at + dt.timedelta(minutes=minutes_after), n)
    detect(RULE)
    assert bool(alerts(RULE)) is fires


def test_accounts_from_the_sessions_own_device_are_high_then_critical(partner, platform, yesterday):
    done = enrol(partner, yesterday, [1, 2, 3, 4, 5])
    for session, n in zip(done[:1], [1], strict=True):
        account(platform, session.closed_at, n, device=AGENT_DEVICE)
    for session, n in zip(done[1:2], [2], strict=True):
        account(platform, session.closed_at, n)
    detect(RULE)
    assert [alert.severity for alert in alerts(RULE)] == ["high"]
    for session, n in zip(done[2:], [3, 4, 5], strict=True):
        account(platform, session.closed_at, n, device=AGENT_DEVICE)
    account(platform, done[1].closed_at, 2, device=AGENT_DEVICE, number="second")
    detect(RULE)
    (alert,) = alerts(RULE)
    assert alert.severity == "critical"


def test_a_resident_opening_an_account_days_later_is_ordinary(partner, platform, yesterday):
    for n in (1, 2, 3):
        enrol(partner, yesterday - dt.timedelta(days=5), [n])
        account(platform, local(yesterday, 19), n)
    detect(RULE)
    assert alerts(RULE) == []


def test_another_residents_account_does_not_join(partner, platform, yesterday):
    for session in enrol(partner, yesterday, [1, 2]):
        account(platform, session.closed_at, 99)
    detect(RULE)
    assert alerts(RULE) == []
