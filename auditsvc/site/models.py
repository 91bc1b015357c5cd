"""The site's one model: bureau accounts as the security officers manage them (no table).

``StaffAccount`` is a proxy of Django's user, so the security officers' pages
(roles, second factors) have permissions of their own, apart from Django's
stock user admin, which no longer changes roles at all (``admin.py``).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _


class StaffAccount(User):
    """A bureau user, seen by a security officer: roles and second factors."""

    class Meta:
        proxy = True
        verbose_name = _("staff account")
        permissions = [
            ("manage_roles", "Can grant and remove roles"),
            ("reset_second_factor", "Can reset a lost second factor"),
        ]
