"""Per-credential throttling that counts atomically, and the client address it counts.

DRF's SimpleRateThrottle reads a list from the cache, appends and writes it
back, so concurrent requests race past the limit. This one counts with
``auditsvc.base.counters.FixedWindow`` (``cache.add`` + ``cache.incr``, INCR in
Redis), which is atomic. If the cache is unreachable it fails open:
recording evidence matters more than rate limiting, and Redis being down
must not stop ingestion.
"""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from auditsvc.base.counters import FixedWindow
from auditsvc.base.rates import parse_rate  # noqa: F401  (the rates' one parser, re-exported)


def client_address(request) -> str:
    """The client's address as the anonymous throttle counts it (``NUM_PROXIES`` trusted proxies).

    Reads X-Forwarded-For only as far as the trusted proxies appended to it, so a
    caller cannot escape a per-address count by sending addresses of its own.
    Works on a plain Django request too: it reads only ``request.META``.
    """
    return BaseThrottle().get_ident(request)


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
        self.wait_seconds = FixedWindow.from_rate("throttle", rate).past_limit(ident)
        return self.wait_seconds is None

    def wait(self) -> float | None:
        return self.wait_seconds
