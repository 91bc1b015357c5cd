"""Template tags of the bureau's own pages (sign-in lockout, refusals).

{% load bureau %}
{% staff_contact as contact %}   the AUDITSVC_STAFF_CONTACT setting ("" when unset)
{{ cooloff_timedelta|from_now }} the local time (Beijing) that far from now, "14:35"
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag
def staff_contact() -> str:
    return settings.AUDITSVC_STAFF_CONTACT


@register.filter
def from_now(delta: dt.timedelta | None) -> str:
    if not isinstance(delta, dt.timedelta):
        return ""
    return timezone.localtime(timezone.now() + delta).strftime("%H:%M")


@register.filter
def duration(delta: dt.timedelta | None) -> str:
    if not isinstance(delta, dt.timedelta):
        return ""
    minutes = max(1, round(delta.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = [ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}] if hours else []
    if minutes:
        parts.append(ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes})
    return " ".join(parts)
