"""The simulated clock of demo data: what every service reads as "now", and its limits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from auditsvc.base.clock import simulated_clock
from auditsvc.ledger.services import ledger_append
from partners.selectors import local_today

pytestmark = pytest.mark.django_db


def test_services_read_the_simulated_time_and_real_time_comes_back():
    start = timezone.now() - dt.timedelta(days=90)

    with simulated_clock(start) as clock:
        first = ledger_append("D0001", "access.recorded", {"n": 1})
        clock.advance(dt.timedelta(days=30))
        second = ledger_append("D0001", "access.recorded", {"n": 2})
        simulated_day = local_today()

    assert first.recorded_at == start
    assert second.recorded_at == start + dt.timedelta(days=30)
    assert (
        simulated_day
        == (start + dt.timedelta(days=30)).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    )
    assert abs(timezone.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)


def test_it_never_runs_backwards_or_into_the_future():
    start = timezone.now() - dt.timedelta(days=2)
    with simulated_clock(start) as clock:
        with pytest.raises(ValueError, match="cannot go back"):
            clock.set(start - dt.timedelta(seconds=1))
        clock.advance(dt.timedelta(days=10))
        assert clock.now() <= dt.datetime.now(dt.UTC)
    with (
        pytest.raises(ValueError, match="future"),
        simulated_clock(timezone.now() + dt.timedelta(hours=1)),
    ):
        pass


def test_it_is_not_reentrant():
    start = timezone.now() - dt.timedelta(days=1)
    with simulated_clock(start), pytest.raises(RuntimeError), simulated_clock(start):
        pass
