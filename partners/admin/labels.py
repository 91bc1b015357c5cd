"""How the registry's codes read on admin pages: labels, and short labels for tight columns.

Codes (``purpose_not_authorised``, ``bank_account``) are stable identifiers for
software; people read the choices' labels. A list column shows a short label
with the full one in its ``title`` (a tooltip), so that a row fits a
1366-pixel screen; a record's own page shows the full labels. An unknown
code (a value stored before a choice was renamed) is shown as it is.

The labels are lazy translation strings: ``str()`` them before joining.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from partners.choices import DataField, Violation

#: Violations in a list column: a word or two each, the full label in the tooltip.
VIOLATION_SHORT = {
    Violation.PARTNER_NOT_APPROVED: _("not approved"),
    Violation.AUTHORISATION_EXPIRED: _("no authorisation"),
    Violation.REGION_NOT_AUTHORISED: _("region"),
    Violation.PURPOSE_NOT_AUTHORISED: _("purpose"),
    Violation.FIELD_NOT_PERMITTED: _("field"),
    Violation.OUTSIDE_HOURS: _("hours"),
    Violation.AGENT_UNKNOWN: _("unknown agent"),
    Violation.AGENT_SUSPENDED: _("agent suspended"),
    Violation.NO_OPEN_SESSION: _("no session"),
    Violation.DAILY_CAP_EXCEEDED: _("over cap"),
}

#: Data fields in a list column.
FIELD_SHORT = {
    DataField.NAME: pgettext_lazy("data field", "name"),
    DataField.ID_NUMBER: _("ID no."),
    DataField.ID_PHOTO: _("ID photo"),
    DataField.FACE_IMAGE: _("face"),
    DataField.PHONE: _("phone"),
    DataField.ADDRESS: _("address"),
    DataField.BANK_ACCOUNT: _("bank account"),
    DataField.MEDICAL_RECORD: _("medical"),
}


def join_words(items: Iterable[object]) -> str:
    """Labels in a row, separated as the reader's language does ("a, b" or "a、b")."""
    return pgettext("list separator", ", ").join(map(str, items))


def label(choices: type[models.Choices], value: str) -> str:
    """The label of ``value`` among ``choices``, or ``value`` itself if it is not one."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def labels(choices: type[models.Choices], values: Iterable[str]) -> list[str]:
    return [label(choices, value) for value in values]


def _short(short: dict, value: str, choices: type[models.Choices]) -> str:
    text = short.get(value)
    return str(text) if text is not None else label(choices, value)


def violation_tags(codes: Iterable[str]) -> str:
    """Violations as small red tags with short labels (full label and code in the tooltip)."""
    codes = list(codes)
    if not codes:
        return format_html('<span class="quiet">{}</span>', "—")
    return format_html(
        '<span class="tags">{}</span>',
        format_html_join(
            "",
            '<span class="tag tag-violation" title="{} ({})">{}</span>',
            (
                (label(Violation, code), code, _short(VIOLATION_SHORT, code, Violation))
                for code in codes
            ),
        ),
    )


def violation_list(codes: Iterable[str]) -> str:
    """Violations with their full labels, for a record's own page (codes in the tooltip)."""
    codes = list(codes)
    if not codes:
        return str(_("None"))
    return format_html(
        '<ul class="plain">{}</ul>',
        format_html_join(
            "",
            '<li><span class="tag tag-violation" title="{}">{}</span></li>',
            ((code, label(Violation, code)) for code in codes),
        ),
    )


def field_names(codes: Iterable[str], *, short: bool = True) -> str:
    """Data fields: short labels with the full ones in the tooltip, or the full labels."""
    codes = list(codes)
    full = join_words(labels(DataField, codes))
    if not short:
        return full
    return format_html(
        '<span title="{}">{}</span>',
        full,
        join_words(_short(FIELD_SHORT, code, DataField) for code in codes),
    )
