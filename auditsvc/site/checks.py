"""The site's deploy checks (``check --deploy``): the second factor, the public address."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_second_factor_required(app_configs=None, **kwargs) -> list:
    """W002 when AUDITSVC_REQUIRE_OTP is off: a stolen password alone then opens the admin."""
    if getattr(settings, "AUDITSVC_REQUIRE_OTP", True):
        return []
    return [
        Warning(
            "The admin's second factor is switched off (AUDITSVC_REQUIRE_OTP): a password "
            "alone opens the admin site, where partners are approved and keys issued.",
            hint="Leave AUDITSVC_REQUIRE_OTP unset (or set it to 1) outside local development.",
            id="auditsvc.W002",
        )
    ]


@register(deploy=True)
def check_public_url(app_configs=None, **kwargs) -> list:
    """W003 when AUDITSVC_PUBLIC_URL is empty: links leaving the service would lack a host."""
    if getattr(settings, "AUDITSVC_PUBLIC_URL", ""):
        return []
    return [
        Warning(
            "AUDITSVC_PUBLIC_URL is empty: critical-alert e-mails link to a path with no host, "
            "and letters' QR codes carry whichever address the admin was opened at.",
            hint="Set AUDITSVC_PUBLIC_URL to the service's public address, e.g. "
            "https://audit.ybj.example.",
            id="auditsvc.W003",
        )
    ]
