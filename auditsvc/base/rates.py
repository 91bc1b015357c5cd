"""Rates such as ``600/min``: how many events a fixed window allows.

Django-free, so the settings can parse every configured rate at start-up
(a typo must stop the service, not switch a limit off) with the same code
the throttles use afterwards.
"""

from __future__ import annotations

__all__ = ["PERIODS", "parse_rate"]

#: The period names a rate may use, in seconds.
PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/min' -> (600, 60). Raises ValueError on anything else (the count must be at least 1)."""
    text = rate.strip() if isinstance(rate, str) else ""
    count, _, period = text.partition("/")
    if period not in PERIODS or not count.isdigit() or not count.isascii() or int(count) < 1:
        raise ValueError(
            f"Bad rate {rate!r}: use N/s, N/min, N/hour or N/day with N a whole number of at "
            "least 1."
        )
    return int(count), PERIODS[period]
