"""Fixed-window counters count atomically in Redis: concurrent hits are never lost."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache

from auditsvc.base.counters import FixedWindow
from auditsvc.base.rates import parse_rate
from tests import needs


@needs.redis("INCR is what makes concurrent counting atomic")
def test_concurrent_hits_are_all_counted_in_redis():
    cache.clear()
    window = FixedWindow("test-counter", limit=1000, period=86400)
    barrier = threading.Barrier(8)

    def hit_many():
        barrier.wait()
        for _ in range(50):
            window.hit("203.0.113.7")

    threads = [threading.Thread(target=hit_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert window.hit("203.0.113.7") == 401
    assert window.retry_after("203.0.113.7") is None
    assert FixedWindow("test-counter", limit=401, period=86400).retry_after("203.0.113.7") > 0
    cache.clear()


@pytest.mark.parametrize(
    ("rate", "parsed"), [("600/min", (600, 60)), ("1/s", (1, 1)), ("30/hour", (30, 3600))]
)
def test_rates_parse(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize(
    "rate", ["0/min", "-1/min", "x/min", "10/minute", "10", "", "\uff11\uff10/min"]
)
def test_bad_rates_are_refused(rate):
    with pytest.raises(ValueError, match="Bad rate"):
        parse_rate(rate)
