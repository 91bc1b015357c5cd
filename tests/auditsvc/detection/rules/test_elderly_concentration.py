"""elderly_concentration: a mix turning sharply older than the partner's history or its region."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from auditsvc.detection.admin.chart import band_chart
from tests.auditsvc.detection.support import alerts, detect, local, read_many, resident

RULE = "elderly_concentration"
OLD, YOUNG = 1950, 1990


def people(first: int, count: int, elderly_share: float, rng: random.Random, region="411381"):
    """``count`` residents, about ``elderly_share`` of them 60 or over (exactly, shuffled)."""
    old = round(count * elderly_share)
    years = [OLD] * old + [YOUNG] * (count - old)
    rng.shuffle(years)
    return [resident(first + i, born=born, region=region) for i, born in enumerate(years)]


def history(partner, today, share, rng, *, count=120, agent="A-0001", first=10_000):
    """``count`` residents spread over the ten days before today."""
    crowd = people(first, count, share, rng)
    for day in range(10):
        chunk = crowd[day::10]
        read_many(partner, local(today - dt.timedelta(days=day + 1), 10), chunk, agent=agent)


def partner_alerts():
    return [alert for alert in alerts(RULE) if alert.subject_kind == "partner"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_fires_when_the_mix_turns_sharply_older(partner, today, seed):
    rng = random.Random(seed)
    history(partner, today, 0.5, rng)
    read_many(partner, local(today, 9), people(1, 40, 0.9, rng))
    detect(RULE)
    (alert,) = partner_alerts()
    assert alert.severity == "high"
    assert alert.numbers["baseline_source"] == "own_history"
    assert alert.numbers["share"] == 90.0
    assert alert.numbers["baseline"] == 50.0
    # The alert page draws the ten earlier days' shares against the baseline.
    chart = band_chart(alert.numbers)
    assert len(chart.bars) == 11
    assert chart.bars[-1].value == 90.0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_partner_whose_residents_are_always_old_is_ordinary(partner, today, seed):
    rng = random.Random(seed)
    history(partner, today, 0.9, rng)
    read_many(partner, local(today, 9), people(1, 40, 0.95, rng))
    detect(RULE)
    assert alerts(RULE) == []


def test_fewer_than_thirty_residents_are_not_judged(partner, today):
    rng = random.Random(7)
    history(partner, today, 0.3, rng)
    read_many(partner, local(today, 9), people(1, 29, 1.0, rng))
    detect(RULE)
    assert alerts(RULE) == []


@pytest.mark.parametrize(("old", "fires"), [(23, False), (24, True)])
def test_p_below_one_percent_is_the_boundary(partner, today, old, fires):
    # Baseline 40 % of 200 residents; 23 of 40 is 17.5 points above it but
    # p = 0.019; 24 of 40 gives p = 0.008.
    rng = random.Random(3)
    history(partner, today, 0.4, rng, count=200)
    read_many(partner, local(today, 9), people(1, 40, old / 40, rng))
    detect(RULE)
    assert bool(partner_alerts()) is fires


@pytest.mark.parametrize(("old", "fires"), [(21, False), (22, True)])
def test_fifteen_points_above_the_baseline_is_the_boundary(partner, today, settings, old, fires):
    settings.DETECTION_ELDERLY_P_VALUE = 0.5  # here only the points decide
    rng = random.Random(5)
    history(partner, today, 0.4, rng, count=200)
    # 21 of 40 is 52.5 % (12.5 points above 40 %), 22 of 40 is 55 % (15 points).
    read_many(partner, local(today, 9), people(1, 40, old / 40, rng))
    detect(RULE)
    assert bool(partner_alerts()) is fires


@pytest.mark.parametrize(("old", "severity"), [(33, "medium"), (34, "high")])
def test_high_starts_twenty_five_points_above_the_baseline(partner, today, old, severity):
    rng = random.Random(9)
    history(partner, today, 0.6, rng, count=200)
    # 33 of 40 is 82.5 % (22.5 points above 60 %), 34 of 40 is 85 % (25 points).
    read_many(partner, local(today, 9), people(1, 40, old / 40, rng))
    detect(RULE)
    assert [alert.severity for alert in partner_alerts()] == [severity]


def test_a_new_partner_far_older_than_its_region_fires(partner, second_partner, today):
    rng = random.Random(11)
    history(partner, today, 0.3, rng, count=150)  # the region's mix, from another partner
    read_many(second_partner, local(today, 9), people(1, 40, 0.9, rng))
    detect(RULE)
    flagged = [alert for alert in partner_alerts() if alert.partner_id == second_partner.pk]
    (alert,) = flagged
    assert alert.numbers["baseline_source"] == "region"
    assert alert.numbers["baseline"] == 30.0
