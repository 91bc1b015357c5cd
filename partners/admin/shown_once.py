"""A secret shown exactly once, on a page of its own (POST, redirect, GET).

The form that issues a key (or resets a second factor) is answered with a
redirect, never with the secret: a reload of the answer to a POST would post
again and issue another live key. The secret waits in the cache (Redis in
production) under a random one-time token for the one GET that shows it, to
the user who issued it; that GET takes it out, so a reload, the back button or
a second tab finds nothing and says the secret was already shown. It is never
in the session (stored in the database) or in a message (a cookie).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from auditsvc.base.errors import ServiceError

__all__ = ["SHOWN_ONCE_SECONDS", "SecretNotHeld", "hold_secret", "take_secret"]

#: How long a secret waits for its page. The redirect is followed at once; this only
#: bounds how long an abandoned one stays in the cache.
SHOWN_ONCE_SECONDS = 300
_PREFIX = "shown-once:"


class SecretNotHeld(ServiceError):
    code = "cache_unavailable"
    status = 503
    title = _(
        "The cache that carries the new secret to its page is unreachable; nothing was issued."
    )


def hold_secret(secret: str, *, user, about: Any) -> str:
    """Keep ``secret`` for one display to ``user``; return the one-time token of its page.

    ``about`` identifies what the secret belongs to (a credential's pk): the
    page checks it against its URL. Raises SecretNotHeld if the cache cannot
    take it, so the caller can roll the issuing back instead of issuing a key
    nobody will ever see.
    """
    token = secrets.token_urlsafe(24)
    try:
        cache.set(
            _PREFIX + token,
            {"secret": secret, "user_id": user.pk, "about": about},
            timeout=SHOWN_ONCE_SECONDS,
        )
    except Exception as exc:  # a cache client raises its own errors
        raise SecretNotHeld() from exc
    return token


def take_secret(token: str, *, user, about: Any) -> str | None:
    """The secret held under ``token`` for ``user`` and ``about``, removed; None if it is gone.

    Only one caller ever gets it: of two requests racing with the same token,
    only the one whose delete removed the key shows it (Redis DEL is atomic).
    A token of another user, or of another object, is not consumed.
    """
    key = _PREFIX + token
    try:
        held = cache.get(key)
        if not held or held.get("user_id") != user.pk or held.get("about") != about:
            return None
        if not cache.delete(key):
            return None
    except Exception:  # an unreachable cache shows nothing; the key is revoked and reissued
        return None
    return held["secret"]
