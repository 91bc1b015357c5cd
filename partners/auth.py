"""API authentication: partner software keys and personal staff tokens.

Both arrive as ``Authorization: Bearer <key>``. A key is a random secret with
a recognisable prefix (``ask_`` for partner software, ``ast_`` for staff);
only its SHA-256 is stored, which is enough for a 256-bit random secret and
keeps the per-request check to one indexed lookup. A revoked or unknown key
is a 401.

Failed authentications are counted per client address (the address the
anonymous throttle uses, behind ``NUM_PROXIES`` proxies), atomically in the
cache (Redis in production): past ``AUDITSVC_THROTTLE_AUTH_FAILURES`` the
address gets 429 with Retry-After before any database lookup, so guessing
keys costs the guesser time and the database nothing. Like the request
throttle, the count fails open when Redis is down.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from auditsvc.base.api.throttling import client_address
from auditsvc.base.counters import FixedWindow

from .models import ApiCredential, Partner, StaffToken

PARTNER_KEY_PREFIX = "ask_"
# A test key is recognisable on sight: its records never become evidence.
PARTNER_TEST_KEY_PREFIX = "ask_test_"
STAFF_TOKEN_PREFIX = "ast_"  # noqa: S105 (a prefix, not a secret)
# last_used_at is written at most this often, so a busy key is not one UPDATE per request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_key(key: str) -> str:
    """SHA-256 hex of an API key or token: what the database stores."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_key(prefix: str) -> tuple[str, str]:
    """A fresh secret key and the short prefix shown in lists to recognise it."""
    key = prefix + secrets.token_urlsafe(32)
    return key, key[: len(prefix) + 6]


@dataclass(frozen=True)
class PartnerPrincipal:
    """``request.user`` for partner software: the partner, not a person."""

    partner: Partner
    credential: ApiCredential
    is_authenticated: bool = True
    is_staff: bool = False
    is_active: bool = True

    @property
    def pk(self) -> str:
        return f"partner:{self.partner.code}"

    @property
    def test(self) -> bool:
        """Whether the key is a test key (its records go to the partner's test log)."""
        return self.credential.is_test

    @property
    def log_ids(self) -> tuple[str, str]:
        """The logs this partner's software may read: its own and its test log."""
        return (self.partner.log_id, self.partner.test_log_id)

    def __str__(self) -> str:
        return f"partner {self.partner.code}"


def _failure_window() -> FixedWindow:
    return FixedWindow.from_rate("auth-failures", settings.AUDITSVC_THROTTLE_AUTH_FAILURES)


def authentication_failed(request, message: str) -> exceptions.AuthenticationFailed:
    """Count a failed authentication against the client's address; the 401 to raise."""
    _failure_window().hit(client_address(request))
    return exceptions.AuthenticationFailed(message)


def _bearer_key(request) -> str | None:
    """The presented key, if any; first refuses (429) an address with too many failures."""
    header = authentication.get_authorization_header(request).split()
    if not header or header[0].lower() != b"bearer":
        return None
    wait = _failure_window().retry_after(client_address(request))
    if wait is not None:
        raise exceptions.Throttled(
            wait=wait,
            # DRF joins this with its own "retry in N seconds" text: a str, not a lazy one.
            detail=gettext("Too many failed authentications from this address; retry later."),
        )
    if len(header) != 2:
        raise authentication_failed(request, _("Send one key: 'Authorization: Bearer <key>'."))
    try:
        return header[1].decode("ascii")
    except UnicodeDecodeError:
        raise authentication_failed(request, _("Invalid key.")) from None


def _touch(model, obj) -> None:
    now = timezone.now()
    if obj.last_used_at is None or now - obj.last_used_at > LAST_USED_RESOLUTION:
        model.objects.filter(pk=obj.pk).update(last_used_at=now)


class PartnerKeyAuthentication(authentication.BaseAuthentication):
    """Bearer API key of a partner's software."""

    keyword = "Bearer"

    def authenticate(self, request):
        key = _bearer_key(request)
        if key is None or not key.startswith(PARTNER_KEY_PREFIX):
            return None
        credential = (
            ApiCredential.objects.select_related("partner")
            .filter(key_hash=hash_key(key), revoked_at__isnull=True)
            .first()
        )
        if credential is None:
            raise authentication_failed(request, _("Unknown or revoked API key."))
        _touch(ApiCredential, credential)
        return PartnerPrincipal(credential.partner, credential), credential

    def authenticate_header(self, request) -> str:
        return self.keyword


class StaffTokenAuthentication(authentication.BaseAuthentication):
    """Bearer personal API token of a staff member or auditor."""

    keyword = "Bearer"

    def authenticate(self, request):
        key = _bearer_key(request)
        if key is None:
            return None
        if not key.startswith(STAFF_TOKEN_PREFIX):
            if key.startswith(PARTNER_KEY_PREFIX):
                return None
            raise authentication_failed(request, _("Unknown or revoked API key."))
        token = (
            StaffToken.objects.select_related("user")
            .filter(key_hash=hash_key(key), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            raise authentication_failed(request, _("Unknown or revoked API token."))
        _touch(StaffToken, token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword
