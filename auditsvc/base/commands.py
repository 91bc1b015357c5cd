"""What management commands that act for one person share: finding that person's account."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

__all__ = ["active_user"]


def active_user(username: str, *, what: str) -> Any:
    """The active account named ``username``; ``CommandError`` saying why not otherwise.

    ``what`` names what the command would give them, for the refusal of an
    inactive account ("a token for them", "codes for them").
    """
    User = get_user_model()
    try:
        user = User.objects.get(**{User.USERNAME_FIELD: username})
    except User.DoesNotExist:
        raise CommandError(f"No user named {username!r}.") from None
    if not user.is_active:
        raise CommandError(f"{username!r} is inactive; {what} would not work.")
    return user
