"""Reads of authorisation letters: their numbers, their status, what the public may see.

A letter's number is what a resident or a village doctor types or scans on
the public check page, so it must not be guessable: 80 random bits (DESIGN.md
asks for at least 64), written as 16 characters of Crockford's base32 in
four groups (``7K3M-Q9XZ-...``), an alphabet without I, L, O and U, so that
what is read aloud or typed on a phone comes out right; typed input is
forgiven case, spaces, dashes and the look-alikes I, L (1) and O (0).

A letter's status is judged live, whenever someone asks, by the code that
judges accesses (``PartnerScope``), in the order of precedence of DESIGN.md:
unknown number, revoked, suspended, expired, not yet valid, valid.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from .choices import LetterStatus, PartnerKind, PartnerStatus
from .models import Authorisation, Letter, Partner
from .selectors import PartnerScope
from .validators import validate_uscc

__all__ = [
    "NUMBER_ALPHABET",
    "NUMBER_BITS",
    "CompanyStanding",
    "company_standing",
    "letter_by_number",
    "letter_check_url",
    "letter_status",
    "letter_statuses",
    "new_letter_number",
    "normalise_letter_number",
    "normalise_uscc",
]

NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
NUMBER_BITS = 80
_NUMBER_CHARS = NUMBER_BITS // 5  # 16
_GROUP = 4
_TYPED = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = re.compile(r"[\s\-_.\u2010-\u2015\uff0d]+")
_NUMBER_RE = re.compile(rf"[{NUMBER_ALPHABET}]{{{_NUMBER_CHARS}}}")


def new_letter_number() -> str:
    """A fresh letter number: 80 bits from the operating system's CSPRNG, grouped."""
    value = secrets.randbits(NUMBER_BITS)
    chars = "".join(
        NUMBER_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(_NUMBER_CHARS))
    )
    return _grouped(chars)


def _grouped(chars: str) -> str:
    return "-".join(chars[i : i + _GROUP] for i in range(0, len(chars), _GROUP))


def normalise_letter_number(text: str) -> str | None:
    """The canonical form of a typed letter number, or None if it cannot be one.

    Case, spaces and dashes do not matter, and I, L and O are read as 1, 1
    and 0; anything else outside the alphabet, or the wrong length, is None.
    """
    if not isinstance(text, str) or len(text) > 64:
        return None
    chars = _SEPARATORS.sub("", text).upper().translate(_TYPED)
    if not _NUMBER_RE.fullmatch(chars):
        return None
    return _grouped(chars)


def normalise_uscc(text: str) -> str | None:
    """A typed unified social credit code, upper-cased without spaces, if it is a valid one."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    code = _SEPARATORS.sub("", text).upper()
    try:
        validate_uscc(code)
    except ValidationError:
        return None
    return code


def letter_by_number(number: str) -> Letter | None:
    """The letter with this canonical number (partner and authorisation joined), or None."""
    return Letter.objects.select_related("partner", "authorisation").filter(number=number).first()


def letter_status(
    letter: Letter | None, *, at: dt.datetime | None = None, scope: PartnerScope | None = None
) -> LetterStatus:
    """The status of ``letter`` at ``at`` (default now), the first of these that applies:

    1. unknown: no such letter (``letter`` is None);
    2. revoked: the letter, its authorisation or its partner was revoked;
    3. suspended: the partner is not approved now (valid again once reinstated);
    4. expired: the authorisation's last day (Asia/Shanghai) is past;
    5. not yet valid: its first day has not come;
    6. valid.

    The partner and the authorisation are judged by ``PartnerScope``, the code
    that judges every access (pass ``scope`` to reuse one already loaded).
    """
    if letter is None:
        return LetterStatus.UNKNOWN
    at = at or timezone.now()
    if scope is None:
        scope = PartnerScope.load(letter.partner)
    if letter.revoked_at is not None and letter.revoked_at <= at:
        return LetterStatus.REVOKED
    if scope.current_status == PartnerStatus.REVOKED:
        return LetterStatus.REVOKED
    state = scope.authorisation_state(letter.authorisation_id, at)
    if state == "revoked":
        return LetterStatus.REVOKED
    if not scope.approved_at(at):
        return LetterStatus.SUSPENDED
    if state == "expired":
        return LetterStatus.EXPIRED
    if state == "not_yet_valid":
        return LetterStatus.NOT_YET_VALID
    return LetterStatus.VALID


def letter_statuses(
    letters: Iterable[Letter], *, at: dt.datetime | None = None
) -> dict[int, LetterStatus]:
    """The status of each letter by id, in three queries however many partners (admin lists)."""
    at = at or timezone.now()
    letters = list(letters)
    scopes = PartnerScope.load_many(letter.partner_id for letter in letters)
    return {
        letter.pk: letter_status(letter, at=at, scope=scopes[letter.partner_id])
        for letter in letters
    }


def letter_check_url(number: str, *, base: str | None = None) -> str:
    """The public check page of a letter: on ``AUDITSVC_PUBLIC_URL`` if set, else on ``base``.

    ``base`` is the address the admin page was opened at (what a printed
    QR code points at when no public address is configured, e.g. a laptop).
    """
    path = reverse("verify-letter", args=[number])
    root = settings.AUDITSVC_PUBLIC_URL or base or ""
    return root.rstrip("/") + path


@dataclass(frozen=True)
class CompanyStanding:
    """What the public page may say of a company searched by its credit code.

    ``authorised`` is true when the company is an approved enrolment partner
    with an authorisation current now; then ``legal_name`` and
    ``authorisations`` (the current ones: regions, purposes, last day) are
    filled. Otherwise nothing is said, whatever the reason (never registered,
    rejected, suspended, revoked, expired): a public page must not tell who
    applied or why they stopped.
    """

    uscc: str
    authorised: bool
    legal_name: str = ""
    authorisations: tuple[Authorisation, ...] = ()


def company_standing(uscc: str, *, at: dt.datetime | None = None) -> CompanyStanding:
    """Whether the company with this (canonical) credit code may help residents now, and where."""
    at = at or timezone.now()
    partner = Partner.objects.filter(uscc=uscc, kind=PartnerKind.ENROLMENT_PARTNER).first()
    if partner is None:
        return CompanyStanding(uscc=uscc, authorised=False)
    scope = PartnerScope.load(partner)
    if not scope.approved_at(at):
        return CompanyStanding(uscc=uscc, authorised=False)
    current = tuple(
        authorisation
        for authorisation in sorted(scope.authorisations, key=lambda a: (a.valid_until, a.pk))
        if scope.authorisation_state(authorisation.pk, at) == "current"
    )
    if not current:
        return CompanyStanding(uscc=uscc, authorised=False)
    return CompanyStanding(
        uscc=uscc, authorised=True, legal_name=partner.legal_name, authorisations=current
    )
