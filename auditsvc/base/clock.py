"""A simulated clock for demo data: history built on days that have already passed.

``seed_demo`` and ``simulate`` (DESIGN.md "Demo data and time") run the same
services as production, but on a clock that starts some days back and runs
forward to now, so that partners are approved, agents registered and letters
issued *before* the traffic that follows, and the ledger's ``recorded_at``
tells the same story. Every service reads the time through
``django.utils.timezone.now()`` (model defaults, ``auto_now_add``, the
ledger's ``recorded_at``), so ``simulated_clock`` replaces that one function
for the duration of a ``with`` block, in the demo command's process only.

It refuses to run backwards or past the real now: a ledger's ``recorded_at``
never decreases, and nothing may be dated in the future. In production
nothing enters this module; ``recorded_at`` is always the real clock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator

from django.utils import timezone

__all__ = ["SimulatedClock", "simulated_clock"]

_active = threading.local()


class SimulatedClock:
    """The demo's "now": set or advanced by the demo, never backwards, never past real now."""

    def __init__(self, start: dt.datetime, real_now) -> None:
        if start.tzinfo is None:
            raise ValueError("the simulated clock needs an aware start time")
        self._real_now = real_now
        if start > real_now():
            raise ValueError("the simulated clock cannot start in the future")
        self._now = start

    def now(self) -> dt.datetime:
        """The simulated time (UTC, aware)."""
        return self._now

    def set(self, moment: dt.datetime) -> dt.datetime:
        """Move the clock to ``moment``: later than now-simulated, not later than real now."""
        if moment < self._now:
            raise ValueError(f"the simulated clock cannot go back from {self._now} to {moment}")
        real = self._real_now()
        self._now = min(moment, real).astimezone(dt.UTC)
        return self._now

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Move the clock forward by ``delta`` (capped at the real now)."""
        return self.set(self._now + delta)

    def catch_up(self) -> dt.datetime:
        """Move the clock to the real now (the end of a simulation)."""
        return self.set(self._real_now())


@contextlib.contextmanager
def simulated_clock(start: dt.datetime) -> Iterator[SimulatedClock]:
    """Within the block, ``timezone.now()`` returns the simulated clock's time.

    Not reentrant, and meant for one management command's process: it
    replaces ``django.utils.timezone.now`` itself, which every service reads.
    """
    if getattr(_active, "clock", None) is not None:
        raise RuntimeError("a simulated clock is already running")
    real_now = timezone.now
    clock = SimulatedClock(start, real_now)
    _active.clock = clock
    timezone.now = clock.now
    try:
        yield clock
    finally:
        timezone.now = real_now
        _active.clock = None
