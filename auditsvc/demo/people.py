"""Demo staff users with passwords, an authenticator secret and backup codes."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from auditsvc.site.services.second_factor import backup_codes_issue

from .data import BACKUP_CODES, BACKUP_DEVICE_NAME, TOTP_DEVICE_NAME


@dataclass
class SeededUser:
    username: str
    password: str
    groups: list[str]
    totp_secret: str
    otpauth_url: str
    backup_codes: list[str]


def seed_user(username: str, group_names: tuple[str, ...]) -> tuple[Any, SeededUser]:
    """Create or reuse a staff user; fresh password and backup codes, kept TOTP secret."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username=username, defaults={"email": f"{username}@ybj.example"}
    )
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    user.is_staff = True
    user.is_active = True
    user.save()
    user.groups.set(Group.objects.filter(name__in=group_names))

    totp = TOTPDevice.objects.filter(user=user, name=TOTP_DEVICE_NAME).first()
    if totp is None:
        totp = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
    backup, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    codes = backup_codes_issue(backup, BACKUP_CODES)
    return user, SeededUser(
        username=username,
        password=password,
        groups=list(group_names),
        totp_secret=base64.b32encode(totp.bin_key).decode("ascii"),
        otpauth_url=totp.config_url,
        backup_codes=codes,
    )
