"""Granting and revoking authorisations: what a partner may do, where and when.

An authorisation is the content of a letter the bureau issues. Its scope
(regions, purposes, fields, dates, hours, caps) is what every record the
partner reports is checked against (partners.selectors.PartnerScope), so it
is validated strictly here and written in full to the bureau log.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from auditsvc.base.actors import actor_fields
from auditsvc.core.canonical import format_time

from ..choices import DataField, Purpose
from ..errors import AuthorisationRevoked
from ..kinds import RegistryKind
from ..models import Authorisation, Partner
from ._common import bureau_log, revoke_record

__all__ = ["authorisation_grant", "authorisation_revoke"]


def _dedupe(values) -> list:
    return list(dict.fromkeys(values))


def _choice_list(value, allowed: list[str], what: str) -> list[str]:
    """A non-empty list of values from ``allowed``; ValidationError otherwise."""
    if isinstance(value, tuple | set | frozenset):
        value = list(value)
    if not isinstance(value, list) or not value:
        raise ValidationError(_("List at least one %(what)s.") % {"what": what}, code="required")
    bad = [item for item in value if not isinstance(item, str) or item not in allowed]
    if bad:
        raise ValidationError(
            _("Not a known %(what)s: %(bad)s (allowed: %(allowed)s)."),
            code="invalid_choice",
            params={"what": what, "bad": ", ".join(map(str, bad)), "allowed": ", ".join(allowed)},
        )
    return _dedupe(value)


def authorisation_grant(
    partner: Partner,
    *,
    actor,
    letter_number: str,
    regions: list[str],
    purposes: list[str],
    fields: list[str],
    valid_from: dt.date,
    valid_until: dt.date,
    hours_start: dt.time = dt.time(8),
    hours_end: dt.time = dt.time(18),
    daily_cap_per_agent: int | None = None,
    daily_cap_per_partner: int | None = None,
) -> Authorisation:
    """Grant a partner an authorisation and record its full scope in the bureau log.

    Regions are 6-digit division codes or their 2- and 4-digit prefixes;
    purposes and fields come from the fixed lists; ``valid_until`` is
    inclusive and not before ``valid_from``; hours are Asia/Shanghai,
    ``hours_end`` exclusive and after ``hours_start``; caps are empty or at
    least 1. Anything else is a ValidationError naming each bad field.
    """
    errors: dict[str, list] = {}
    if isinstance(regions, tuple | set | frozenset):
        regions = list(regions)
    if isinstance(regions, list) and all(isinstance(region, str) for region in regions):
        regions = _dedupe(regions)
    try:
        purposes = _choice_list(purposes, Purpose.values, _("purpose"))
    except ValidationError as exc:
        errors["purposes"] = exc.error_list
    try:
        fields = _choice_list(fields, DataField.values, _("field"))
    except ValidationError as exc:
        errors["fields"] = exc.error_list

    authorisation = Authorisation(
        partner=partner,
        letter_number=letter_number.strip() if isinstance(letter_number, str) else letter_number,
        regions=regions,
        purposes=purposes,
        fields=fields,
        valid_from=valid_from,
        valid_until=valid_until,
        hours_start=hours_start,
        hours_end=hours_end,
        daily_cap_per_agent=daily_cap_per_agent,
        daily_cap_per_partner=daily_cap_per_partner,
        created_by=actor,
    )
    try:
        # The check constraints would report a nameless error; the order of
        # dates and hours is checked below with the field named instead.
        authorisation.full_clean(exclude=list(errors), validate_constraints=False)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    dates_clean = not {"valid_from", "valid_until"} & errors.keys()
    if dates_clean and authorisation.valid_until < authorisation.valid_from:
        errors["valid_until"] = [
            ValidationError(_("The last valid day cannot be before the first."), code="order")
        ]
    hours_clean = not {"hours_start", "hours_end"} & errors.keys()
    if hours_clean and authorisation.hours_end <= authorisation.hours_start:
        errors["hours_end"] = [ValidationError(_("Hours must end after they start."), code="order")]
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        authorisation.save()
        bureau_log(
            RegistryKind.AUTHORISATION_GRANTED,
            {
                "partner": partner.code,
                "authorisation": authorisation.pk,
                "letter_number": authorisation.letter_number,
                "regions": authorisation.regions,
                "purposes": authorisation.purposes,
                "fields": authorisation.fields,
                "valid_from": authorisation.valid_from.isoformat(),
                "valid_until": authorisation.valid_until.isoformat(),
                "hours_start": authorisation.hours_start.isoformat(),
                "hours_end": authorisation.hours_end.isoformat(),
                "daily_cap_per_agent": authorisation.daily_cap_per_agent,
                "daily_cap_per_partner": authorisation.daily_cap_per_partner,
                **actor_fields(actor),
                "granted_at": format_time(authorisation.created_at),
            },
        )
    return authorisation


def authorisation_revoke(authorisation: Authorisation, *, actor, reason: str) -> Authorisation:
    """Revoke an authorisation from now on and record why in the bureau log.

    From ``revoked_at`` on the authorisation covers nothing; accesses made
    before that moment stay covered, even when uploaded late (PartnerScope
    judges each access at its own time). Revoking twice raises
    AuthorisationRevoked.
    """
    return revoke_record(
        authorisation,
        actor=actor,
        reason=reason,
        kind=RegistryKind.AUTHORISATION_REVOKED,
        already=lambda locked: AuthorisationRevoked(
            _("%(reference)s was revoked already.") % {"reference": locked.letter_number}
        ),
        body=lambda locked: {
            "partner": locked.partner.code,
            "authorisation": locked.pk,
            "letter_number": locked.letter_number,
        },
    )
