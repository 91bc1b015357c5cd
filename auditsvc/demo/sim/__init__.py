"""``manage.py simulate``: weeks of realistic traffic, and a ring if asked, on the simulated clock.

Modules: ``people`` (made-up residents, their phones and devices), ``plan``
(an ordinary partner's day as requests), ``ring`` (the ring's days),
``send`` (the requests through the API's validation and services) and
``run`` (the loop on the clock, and its refusals).
"""

from .run import (
    DEFAULT_DAYS,
    DEFAULT_RING_DAYS,
    MAX_DAYS,
    SimulationRefused,
    SimulationResult,
    already_simulated,
    simulate,
)

__all__ = [
    "DEFAULT_DAYS",
    "DEFAULT_RING_DAYS",
    "MAX_DAYS",
    "SimulationRefused",
    "SimulationResult",
    "already_simulated",
    "simulate",
]
