"""Per-credential throttling that counts atomically.

DRF's SimpleRateThrottle reads a list from the cache, appends and writes it
back, so concurrent requests race past the limit. This one uses a fixed
window counter with ``cache.add`` + ``cache.incr`` (INCR in Redis), which is
atomic. If the cache is unreachable it fails open and logs it: recording
evidence matters more than rate limiting, and Redis being down must not stop
ingestion.

``window_hit`` and ``window_count`` are that counter on their own, for limits
that are not a REST framework throttle (the public letter check counts only
failed look-ups); ``client_address`` is the address the anonymous throttle
counts, behind ``NUM_PROXIES`` trusted proxies.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

# After the cache fails, requests go unthrottled (without trying it) for this long.
CACHE_RETRY_SECONDS = 5.0
_cache_down_until = 0.0


@receiver(setting_changed)
def _cache_replaced(*, setting: str, **kwargs) -> None:
    global _cache_down_until
    if setting == "CACHES":
        _cache_down_until = 0.0


_PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/min' -> (600, 60). Raises ValueError on anything else."""
    count, _, period = rate.partition("/")
    if period not in _PERIODS:
        raise ValueError(f"Bad throttle rate {rate!r}: use N/s, N/min, N/hour or N/day.")
    return int(count), _PERIODS[period]


def client_address(request) -> str:
    """The client's address as the anonymous throttle counts it (``NUM_PROXIES`` trusted proxies).

    Works on a plain Django request too: it reads only ``request.META``.
    """
    return BaseThrottle().get_ident(request)


def _window(period: int) -> tuple[int, float]:
    now = time.time()
    window = int(now // period)
    return window, (window + 1) * period - now


def window_hit(ident: str, period: int) -> tuple[int, float] | None:
    """Count one hit for ``ident`` in the current fixed window of ``period`` seconds.

    Returns the count in this window so far (this hit included) and the seconds
    left in the window, or None when the cache is unreachable: callers then
    let the request through (fail open, see the module docstring).
    """
    window, remaining = _window(period)
    key = f"throttle:{ident}:{window}"
    if time.monotonic() < _cache_down_until:
        return None  # the cache failed a moment ago: do not wait on it again yet
    try:
        cache.add(key, 0, timeout=period + 1)
        count = cache.incr(key)
    except Exception:  # the cache being down must not stop ingestion
        _cache_failed()
        return None
    return count, remaining


def window_count(ident: str, period: int) -> tuple[int, float] | None:
    """The hits counted for ``ident`` in the current window (without counting one), as
    ``window_hit`` returns them; None when the cache is unreachable."""
    window, remaining = _window(period)
    if time.monotonic() < _cache_down_until:
        return None
    try:
        count = cache.get(f"throttle:{ident}:{window}", 0)
    except Exception:
        _cache_failed()
        return None
    return int(count), remaining


def _cache_failed() -> None:
    # Fail open, and stop asking for a while: an unreachable Redis costs a
    # connect timeout per call, which would slow every request down.
    global _cache_down_until
    _cache_down_until = time.monotonic() + CACHE_RETRY_SECONDS
    logger.warning(
        "throttle cache unavailable; allowing requests unthrottled for %ss",
        CACHE_RETRY_SECONDS,
    )


class CredentialRateThrottle(BaseThrottle):
    """Limit requests per API credential (or per client address when anonymous)."""

    def __init__(self) -> None:
        self.wait_seconds: float | None = None

    def get_ident_and_rate(self, request) -> tuple[str, str]:
        rates = api_settings.DEFAULT_THROTTLE_RATES
        auth = getattr(request, "auth", None)
        if auth is not None and getattr(auth, "pk", None) is not None:
            return f"{type(auth).__name__}:{auth.pk}", rates["credential"]
        return f"anon:{self.get_ident(request)}", rates["anon"]

    def allow_request(self, request, view) -> bool:
        ident, rate = self.get_ident_and_rate(request)
        limit, period = parse_rate(rate)
        hit = window_hit(ident, period)
        if hit is None:
            return True
        count, remaining = hit
        if count > limit:
            self.wait_seconds = remaining
            return False
        return True

    def wait(self) -> float | None:
        return self.wait_seconds
