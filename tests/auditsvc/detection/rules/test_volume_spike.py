"""volume_spike: hourly and daily counts against the median and MAD of the previous 28 days."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from tests.auditsvc.detection.support import alerts, detect, local, read_many

RULE = "volume_spike"


def history(partner, today, per_day, days: int = 14, hour: int = 10, agent="A-0001"):
    """``per_day(i)`` accesses at ``hour`` on each of the ``days`` days before today."""
    first = 10_000
    for i in range(days, 0, -1):
        count = per_day(i)
        day = today - dt.timedelta(days=i)
        read_many(partner, local(day, hour), range(first, first + count), agent=agent)
        first += count


def spike(partner, today, count, hour=10, agent="A-0001"):
    read_many(partner, local(today, hour), range(1, count + 1), agent=agent, spread=dt.timedelta(0))


def hourly_agent_alerts():
    return [a for a in alerts(RULE) if a.subject_kind == "agent" and a.numbers["period"] == "hour"]


def test_it_fires_on_an_agent_far_above_its_usual_hour(partner, today):
    history(partner, today, lambda i: 2)
    spike(partner, today, 45)
    detect(RULE)
    (alert,) = hourly_agent_alerts()
    assert alert.subject_ref == "A-0001"
    assert alert.numbers["count"] == 45
    assert alert.numbers["median"] == 2
    assert alert.numbers["threshold"] == 20  # 2 + 6 x max(1.4826 x 0, 3)
    assert alert.severity == "high"  # at least twice the threshold
    assert len(alert.numbers["series"]) == 14
    assert alert.evidence_code == "volume_hour_agent"


@pytest.mark.parametrize(("count", "fires"), [(20, False), (21, True)])
def test_the_threshold_is_the_boundary(partner, today, settings, count, fires):
    settings.DETECTION_VOLUME_HOURLY_MIN_COUNT = 1
    history(partner, today, lambda i: 2)
    spike(partner, today, count)
    detect(RULE)
    assert bool(hourly_agent_alerts()) is fires


@pytest.mark.parametrize(("count", "fires"), [(29, False), (30, True)])
def test_the_minimum_count_is_the_boundary(partner, today, count, fires):
    history(partner, today, lambda i: 0 if i % 2 else 1)
    spike(partner, today, count)
    detect(RULE)
    assert bool(hourly_agent_alerts()) is fires


@pytest.mark.parametrize(("count", "severity"), [(39, "medium"), (40, "high")])
def test_high_starts_at_twice_the_threshold(partner, today, settings, count, severity):
    settings.DETECTION_VOLUME_HOURLY_MIN_COUNT = 1
    history(partner, today, lambda i: 2)
    spike(partner, today, count)
    detect(RULE)
    assert [alert.severity for alert in hourly_agent_alerts()] == [severity]


def test_it_does_not_judge_a_subject_with_less_than_a_week_of_history(partner, today):
    history(partner, today, lambda i: 2, days=6)
    spike(partner, today, 60)
    detect(RULE)
    assert alerts(RULE) == []


def test_empty_hours_count_as_zero(partner, today, settings):
    # Busy at 10:00 every day, never at 21:00: 40 reads at 21:00 is a spike.
    history(partner, today, lambda i: 20)
    spike(partner, today, 40, hour=21)
    detect(RULE)
    (alert,) = hourly_agent_alerts()
    assert alert.numbers["median"] == 0
    assert alert.numbers["from"].endswith("21:00")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_is_silent_on_ordinary_busy_days(partner, today, seed):
    rng = random.Random(seed)
    history(partner, today, lambda i: rng.randint(20, 40), days=21)
    spike(partner, today, rng.randint(20, 40))
    detect(RULE)
    assert alerts(RULE) == []


def test_a_day_far_above_the_usual_days_fires_for_agent_and_partner(partner, today):
    history(partner, today, lambda i: 5)
    for hour in range(9, 17):
        read_many(partner, local(today, hour), range(hour * 100, hour * 100 + 25))
    detect(RULE)
    daily = {(a.subject_kind, a.numbers["period"]) for a in alerts(RULE)}
    assert ("agent", "day") in daily
    assert ("partner", "day") in daily
