"""session_too_short: an agent's completed sessions far shorter than the partner's usual."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.auditsvc.detection.support import alerts, detect, local, open_session

RULE = "session_too_short"


def sessions(partner, day, count, seconds, *, agent="A-0001", outcome="completed", first=1):
    for n in range(count):
        open_session(
            partner,
            local(day, 9) + dt.timedelta(minutes=5 * n),
            first + n,
            agent=agent,
            minutes=seconds / 60,
            outcome=outcome,
        )


def test_it_fires_on_many_sessions_of_seconds(partner, yesterday):
    sessions(partner, yesterday, 6, 30)
    detect(RULE)
    (alert,) = alerts(RULE)
    assert alert.subject_ref == "A-0001"
    assert alert.numbers["short"] == 6
    assert alert.numbers["usual_seconds"] == 600  # no history yet: the typical duration
    assert alert.numbers["cutoff_seconds"] == 120
    assert alert.severity == "medium"


@pytest.mark.parametrize(("count", "fires"), [(4, False), (5, True)])
def test_the_minimum_count_is_the_boundary(partner, yesterday, count, fires):
    sessions(partner, yesterday, count, 30)
    detect(RULE)
    assert bool(alerts(RULE)) is fires


@pytest.mark.parametrize(("seconds", "fires"), [(119, True), (120, False)])
def test_the_cutoff_is_the_boundary(partner, yesterday, seconds, fires):
    sessions(partner, yesterday, 5, seconds)
    detect(RULE)
    assert bool(alerts(RULE)) is fires


def test_the_partners_own_usual_duration_sets_the_cutoff(partner, yesterday, settings):
    settings.DETECTION_SESSION_MIN_HISTORY = 5
    # The partner's sessions usually take 2 minutes: 60-second ones are not "far shorter".
    sessions(partner, yesterday - dt.timedelta(days=3), 6, 120, first=100)
    sessions(partner, yesterday, 6, 60)
    detect(RULE)
    assert alerts(RULE) == []


def test_abandoned_sessions_are_ordinary(partner, yesterday):
    sessions(partner, yesterday, 8, 20, outcome="abandoned")
    detect(RULE)
    assert alerts(RULE) == []
