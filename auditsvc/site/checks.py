"""The site's deploy check (``check --deploy``): is the second factor switched off?"""

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
