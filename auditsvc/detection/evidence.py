"""Evidence sentences: stored as a template code and its numbers, rendered in the reader's language.

An alert keeps ``evidence_code`` and ``numbers``; ``render_evidence`` picks
the template for the code and fills it at the moment someone reads it, under
that reader's active language (the admin's, or the API caller's
Accept-Language). Templates name their numbers (``%(count)s``), so a
translation may put them in any order.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from partners.choices import Violation

TEMPLATES = {
    "volume_hour_agent": _(
        "Agent %(agent)s read %(count)s identities between %(from)s and %(to)s; "
        "usual for that hour: %(usual_low)s-%(usual_high)s (threshold %(threshold)s)."
    ),
    "volume_hour_partner": _(
        "Partner %(partner)s read %(count)s identities between %(from)s and %(to)s; "
        "usual for that hour: %(usual_low)s-%(usual_high)s (threshold %(threshold)s)."
    ),
    "volume_day_agent": _(
        "Agent %(agent)s read %(count)s identities on %(day)s; "
        "usual for a day: %(usual_low)s-%(usual_high)s (threshold %(threshold)s)."
    ),
    "volume_day_partner": _(
        "Partner %(partner)s read %(count)s identities on %(day)s; "
        "usual for a day: %(usual_low)s-%(usual_high)s (threshold %(threshold)s)."
    ),
    "daily_cap_exceeded": _(
        "%(who)s made %(count)s accesses above the authorisation's daily cap on %(day)s "
        "(%(residents)s residents)."
    ),
    "out_of_scope_access": _(
        "%(who)s made %(count)s accesses outside the authorisation on %(day)s "
        "(%(residents)s residents): %(codes)s."
    ),
    "access_without_session": _(
        "%(who)s read %(residents)s residents on %(day)s with no open session "
        "(%(count)s accesses, %(evening)s of them between 20:00 and 06:00)."
    ),
    "suspended_partner_activity": _(
        "Partner %(partner)s, not approved at the time, reported %(count)s records on %(day)s "
        "(%(residents)s residents)."
    ),
    "session_many_residents": _(
        "Session %(session)s of agent %(agent)s read %(residents)s different residents "
        "(%(count)s accesses); a session serves one resident."
    ),
    "session_too_short": _(
        "Agent %(agent)s closed %(short)s of %(sessions)s sessions on %(day)s in under "
        "%(cutoff_seconds)s seconds; the partner's usual session lasts %(usual_seconds)s seconds."
    ),
    "account_opened_near_session": _(
        "%(count)s accounts were opened at %(platforms)s for residents within %(minutes)s minutes "
        "of agent %(agent)s's enrolment sessions on %(day)s (%(same_device)s from the "
        "session's own device)."
    ),
    "multiple_accounts_per_resident": _(
        "%(residents)s residents who got an account at %(partner)s on %(day)s already had "
        "another account opened in the previous %(days)s days."
    ),
    "shared_device_accounts": _(
        "One device opened or bound accounts for %(residents)s different residents at "
        "%(partner)s between %(from)s and %(to)s (%(count)s accounts)."
    ),
    "shared_phone_accounts": _(
        "One phone number was given for %(residents)s different residents' accounts at "
        "%(partner)s between %(from)s and %(to)s (%(count)s accounts)."
    ),
    "elderly_concentration": _(
        "%(elderly)s of %(residents)s residents %(who)s read on %(day)s were aged %(age)s or "
        "over (%(share)s%%), against %(baseline)s%% in %(baseline_source)s (p = %(p_value)s)."
    ),
}

BASELINE_SOURCES = {
    "own_history": _("its own previous weeks"),
    "region": _("the pooled mix of the same regions"),
}


#: Words for the numbers an alert keeps (the alert page lists them).
NUMBER_LABELS = {
    "partner": _("partner"),
    "agent": _("agent"),
    "day": _("day"),
    "from": _("from"),
    "to": _("to"),
    "period": _("period"),
    "count": _("records"),
    "residents": _("distinct residents"),
    "median": _("usual (median)"),
    "mad": _("median absolute deviation"),
    "threshold": _("threshold"),
    "usual_low": _("usual range, low"),
    "usual_high": _("usual range, high"),
    "by_code": _("violations by kind"),
    "codes": _("violations"),
    "evening": _("between 20:00 and 06:00"),
    "session": _("session"),
    "opened_at": _("session opened"),
    "short": _("short sessions"),
    "sessions": _("sessions"),
    "cutoff_seconds": _("short means under (seconds)"),
    "usual_seconds": _("usual session (seconds)"),
    "same_device": _("from the session's own device"),
    "platforms": _("account platforms"),
    "minutes": _("minutes around the session"),
    "days": _("days looked back"),
    "elderly": _("residents aged 60 or over"),
    "age": _("age from"),
    "share": _("share of elderly (%)"),
    "baseline": _("baseline share (%)"),
    "baseline_source": _("baseline from"),
    "p_value": _("p-value"),
}


def _violation_label(code: str) -> str:
    try:
        return str(Violation(code).label)
    except ValueError:
        return code


def _violation_words(value: Any, *, in_sentence: bool = False) -> Any:
    """Violation codes ("region_not_authorised, outside_hours") in the reader's words."""
    if not isinstance(value, str):
        return value
    words = [_violation_label(code.strip()) for code in value.split(",") if code.strip()]
    if in_sentence:
        # "…: region not authorised, outside authorised hours." (Chinese has no case.)
        words = [word[:1].lower() + word[1:] for word in words]
    return pgettext("list separator", ", ").join(words)


def _by_code_words(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    separator = pgettext("list separator", ", ")
    return separator.join(f"{_violation_label(code)}: {n}" for code, n in value.items())


def number_rows(numbers: dict[str, Any]) -> list[tuple[str, Any]]:
    """(label, value) for the alert page, in a stable order; the chart's series left out."""
    rows = []
    for key, value in numbers.items():
        if key in ("series", "chart"):
            continue
        if key == "baseline_source" and value in BASELINE_SOURCES:
            value = BASELINE_SOURCES[value]
        elif key == "codes":
            value = _violation_words(value)
        elif key == "by_code":
            value = _by_code_words(value)
        rows.append((str(NUMBER_LABELS.get(key, key.replace("_", " "))), value))
    return sorted(rows, key=lambda row: row[0])


def render_evidence(code: str, numbers: dict[str, Any]) -> str:
    """The evidence sentence in the active language; the raw numbers if the code is unknown."""
    template = TEMPLATES.get(code)
    # A threshold of 60.0 reads as 60 (the rules round to one decimal; most are whole).
    values = {
        key: int(value) if isinstance(value, float) and value.is_integer() else value
        for key, value in numbers.items()
    }
    if "who" not in values:
        values["who"] = (
            (
                _("Agent %(agent)s") % values
                if values.get("agent")
                else _("Partner %(partner)s") % values
            )
            if ("agent" in values or "partner" in values)
            else ""
        )
    if "codes" in values:
        values["codes"] = _violation_words(values["codes"], in_sentence=True)
    source = values.get("baseline_source")
    if source in BASELINE_SOURCES:
        values["baseline_source"] = BASELINE_SOURCES[source]
    if template is None:
        return f"{code}: {numbers}"
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return f"{code}: {numbers}"
