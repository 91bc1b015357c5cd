"""Per-credential throttling that counts atomically.

DRF's SimpleRateThrottle reads a list from the cache, appends and writes it
back, so concurrent requests race past the limit. This one uses a fixed
window counter with ``cache.add`` + ``cache.incr`` (INCR in Redis), which is
atomic. If the cache is unreachable it fails open and logs it: recording
evidence matters more than rate limiting, and Redis being down must not stop
ingestion.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from auditsvc.base.rates import parse_rate  # also checks the configured rates at start-up

logger = logging.getLogger(__name__)

# After the cache fails, requests go unthrottled (without trying it) for this long.
CACHE_RETRY_SECONDS = 5.0
_cache_down_until = 0.0


@receiver(setting_changed)
def _cache_replaced(*, setting: str, **kwargs) -> None:
    global _cache_down_until
    if setting == "CACHES":
        _cache_down_until = 0.0


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
        now = time.time()
        window = int(now // period)
        key = f"throttle:{ident}:{window}"
        global _cache_down_until
        if time.monotonic() < _cache_down_until:
            return True  # the cache failed a moment ago: do not wait on it again yet
        try:
            cache.add(key, 0, timeout=period + 1)
            count = cache.incr(key)
        except Exception:  # the cache being down must not stop ingestion
            # Fail open, and stop asking for a while: an unreachable Redis costs a
            # connect timeout per call, which would slow every request down.
            _cache_down_until = time.monotonic() + CACHE_RETRY_SECONDS
            logger.warning(
                "throttle cache unavailable; allowing requests unthrottled for %ss",
                CACHE_RETRY_SECONDS,
            )
            return True
        if count > limit:
            self.wait_seconds = (window + 1) * period - now
            return False
        return True

    def wait(self) -> float | None:
        return self.wait_seconds
