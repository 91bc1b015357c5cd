"""Fixed-window counters in the cache, counted atomically (INCR in Redis).

The pattern of ``api.throttling``: ``cache.add`` creates the window's counter
at 0 if it is missing and ``cache.incr`` adds one, both atomic in Redis, so
concurrent requests cannot race past a limit the way a read-modify-write
would. If the cache is unreachable the counter fails open (counts nothing,
refuses nothing) and logs it: Redis being down must not stop the service;
for a short while afterwards it is not even asked, so each request does not
pay a connect timeout.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver

from .rates import parse_rate

logger = logging.getLogger(__name__)

__all__ = ["FixedWindow"]

# After the cache fails, counters are not asked for this long.
CACHE_RETRY_SECONDS = 5.0
_cache_down_until = 0.0


@receiver(setting_changed)
def _cache_replaced(*, setting: str, **kwargs) -> None:
    global _cache_down_until
    if setting == "CACHES":
        _cache_down_until = 0.0


def _cache_failed() -> None:
    global _cache_down_until
    _cache_down_until = time.monotonic() + CACHE_RETRY_SECONDS
    logger.warning(
        "throttle cache unavailable; counting and limiting nothing for %ss", CACHE_RETRY_SECONDS
    )


@dataclass(frozen=True)
class FixedWindow:
    """At most ``limit`` events per ``period`` seconds per ident, in windows aligned to the epoch.

    ``name`` keeps the counters of different uses apart in the cache.
    """

    name: str
    limit: int
    period: int

    def _key(self, ident: str, now: float) -> tuple[str, float]:
        window = int(now // self.period)
        return f"{self.name}:{ident}:{window}", (window + 1) * self.period - now

    def retry_after(self, ident: str) -> float | None:
        """Seconds until the window ends if ``ident`` has used up its limit, else None.

        Reads only. Fails open (None) when the cache is unreachable.
        """
        if time.monotonic() < _cache_down_until:
            return None
        key, left = self._key(ident, time.time())
        try:
            count = cache.get(key) or 0
        except Exception:  # the cache being down must not stop the service
            _cache_failed()
            return None
        return left if count >= self.limit else None

    @classmethod
    def from_rate(cls, name: str, rate: str) -> FixedWindow:
        """A window from a rate such as ``600/min`` (``auditsvc.base.rates.parse_rate``)."""
        limit, period = parse_rate(rate)
        return cls(name, limit, period)

    def past_limit(self, ident: str) -> float | None:
        """Count one event; the seconds left in the window if it went past the limit, else None.

        The decision rests on the count Redis returns from its atomic INCR, so
        concurrent requests cannot squeeze past the limit. None too when the
        cache is unreachable (fail open).
        """
        count = self.hit(ident)
        if count is None or count <= self.limit:
            return None
        _, left = self._key(ident, time.time())
        return left

    def hit(self, ident: str) -> int | None:
        """Count one event for ``ident``; the count in this window (None if the cache is down)."""
        if time.monotonic() < _cache_down_until:
            return None
        key, _ = self._key(ident, time.time())
        try:
            cache.add(key, 0, timeout=self.period + 1)
            try:
                return cache.incr(key)
            except ValueError:  # the counter expired between add and incr
                cache.add(key, 1, timeout=self.period + 1)
                return 1
        except Exception:  # the cache being down must not stop the service
            _cache_failed()
            return None
