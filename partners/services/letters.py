"""Issuing and revoking authorisation letters: the paper a partner's agents carry.

The Dengzhou gang carried real letters from the bureau, so village doctors
gathered residents for them. A letter here is issued by an approver from a
current authorisation of an approved partner; it carries a number nobody can
guess and a signed JSON document (DESIGN.md "Signed documents"), and it
stops being valid on the public check page the moment the bureau suspends or
revokes the partner or the authorisation (partners.letters.letter_status
judges it live). Issuing and revoking are bureau-log entries.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from auditsvc.base.actors import actor_fields
from auditsvc.core.canonical import format_time
from auditsvc.core.documents import LETTER, document_digest
from auditsvc.ledger.documents import document_sign

from ..choices import PartnerKind
from ..errors import LetterNotIssuable, LetterRevoked, NotPermitted
from ..kinds import RegistryKind
from ..letters import new_letter_number
from ..models import Authorisation, Letter, Partner
from ..selectors import PartnerScope
from ._common import bureau_log, revoke_record

__all__ = ["ISSUE_PERMISSION", "REVOKE_PERMISSION", "letter_issue", "letter_revoke"]

ISSUE_PERMISSION = "partners.issue_letter"
REVOKE_PERMISSION = "partners.revoke_letter"
# 80-bit numbers do not collide in practice; a retry costs nothing if one ever does.
_NUMBER_ATTEMPTS = 3


def _require(actor, permission: str, what: str) -> None:
    if actor is None or not actor.has_perm(permission):
        raise NotPermitted(
            _("%(action)s needs the %(permission)s permission (the Approvers role).")
            % {"action": what, "permission": permission}
        )


def letter_document(number: str, authorisation: Authorisation, issued_at) -> dict:
    """The document a letter signs: who may do what, where and when, under which number.

    Dates are Asia/Shanghai days, ``valid_until`` inclusive; purposes and
    fields are the stable codes of DESIGN.md. Nothing in it changes later:
    the letter's status (revoked, suspended, ...) is what the public page says now.
    """
    partner = authorisation.partner
    return {
        "number": number,
        "issuer": {"name": settings.AUDITSVC_BUREAU_NAME, "origin": settings.AUDITSVC_ORIGIN},
        "partner": {"code": partner.code, "legal_name": partner.legal_name, "uscc": partner.uscc},
        "authorisation": {
            "reference": authorisation.letter_number,
            "regions": [str(region) for region in authorisation.regions],
            "purposes": list(authorisation.purposes),
            "fields": list(authorisation.fields),
            "hours": {
                "from": authorisation.hours_start.strftime("%H:%M"),
                "until": authorisation.hours_end.strftime("%H:%M"),
            },
        },
        "valid_from": authorisation.valid_from.isoformat(),
        "valid_until": authorisation.valid_until.isoformat(),
        "timezone": "Asia/Shanghai",
        "issued_at": format_time(issued_at),
    }


def letter_issue(authorisation: Authorisation, *, actor) -> Letter:
    """Issue a letter from ``authorisation``: a fresh number, a signed document, a bureau-log entry.

    Needs the ``partners.issue_letter`` permission (NotPermitted). The partner
    must be an enrolment partner approved now, and the authorisation neither
    revoked nor past its last day (LetterNotIssuable); one that starts later
    may be printed in advance (the page says "not yet valid" until then).
    The partner and authorisation rows are locked, so a suspension or a
    revocation cannot slip between the check and the issue. Several letters
    may be issued from one authorisation (a reprint, one per team); each can
    be revoked on its own.
    """
    _require(actor, ISSUE_PERMISSION, _("Issuing a letter"))
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=authorisation.partner_id)
        locked = Authorisation.objects.select_for_update().get(pk=authorisation.pk)
        locked.partner = partner
        now = timezone.now()
        if partner.kind != PartnerKind.ENROLMENT_PARTNER:
            raise LetterNotIssuable(
                _("%(code)s is not an enrolment partner: it gets no letters.")
                % {"code": partner.code}
            )
        scope = PartnerScope.load(partner)
        if not scope.approved_at(now):
            raise LetterNotIssuable(
                _("%(code)s is %(status)s, not approved.")
                % {"code": partner.code, "status": partner.get_status_display().lower()}
            )
        state = scope.authorisation_state(locked.pk, now)
        if state in ("revoked", "expired"):
            raise LetterNotIssuable(
                _("Authorisation %(reference)s is %(state)s.")
                % {
                    "reference": locked.letter_number,
                    "state": _("revoked") if state == "revoked" else _("expired"),
                }
            )

        for attempt in range(_NUMBER_ATTEMPTS):
            number = new_letter_number()
            document = letter_document(number, locked, now)
            signed = document_sign(LETTER, document)
            letter = Letter(
                number=number,
                partner=partner,
                authorisation=locked,
                document=document,
                key_id=signed["key_id"],
                signature=signed["signature"],
                issued_at=now,
                issued_by=actor,
            )
            try:
                with transaction.atomic():
                    letter.save(force_insert=True)
                break
            except IntegrityError:
                if (
                    attempt == _NUMBER_ATTEMPTS - 1
                    or not Letter.objects.filter(number=number).exists()
                ):
                    raise
        entry = bureau_log(
            RegistryKind.LETTER_ISSUED,
            {
                "partner": partner.code,
                "authorisation": locked.pk,
                "authorisation_reference": locked.letter_number,
                "letter": letter.number,
                "valid_from": document["valid_from"],
                "valid_until": document["valid_until"],
                "document_sha256": document_digest(document).hex(),
                "key_id": letter.key_id,
                "signature": letter.signature,
                **actor_fields(actor),
                "issued_at": document["issued_at"],
            },
        )
        letter.ledger_seq = entry.seq
        letter.save(update_fields=["ledger_seq"])
    return letter


def letter_revoke(letter: Letter, *, actor, reason: str) -> Letter:
    """Revoke a letter from now on (the public page says "revoked" at once); record why.

    Needs the ``partners.revoke_letter`` permission (NotPermitted). Revoking
    twice raises LetterRevoked. The authorisation is untouched: revoke it too
    if the partner must stop work altogether.
    """
    _require(actor, REVOKE_PERMISSION, _("Revoking a letter"))
    return revoke_record(
        letter,
        actor=actor,
        reason=reason,
        kind=RegistryKind.LETTER_REVOKED,
        already=lambda locked: LetterRevoked(
            _("Letter %(number)s was revoked already.") % {"number": locked.number}
        ),
        body=lambda locked: {
            "partner": locked.partner.code,
            "authorisation": locked.authorisation_id,
            "letter": locked.number,
        },
    )
