"""Resident identity numbers and keyed pseudonyms.

Raw identity numbers, phone numbers and device identifiers never reach the
database or a log line: callers validate them here and keep only the keyed
pseudonym (HMAC-SHA256 under a pepper that lives outside the database), plus
the two facts detection needs (division code and birth year).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import operator
import re
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

RESIDENT_ID_SCHEME = "cn-resident-id"
SCHEMES = (RESIDENT_ID_SCHEME,)

_ID_RE = re.compile(r"[0-9]{17}[0-9X]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_ZERO_SUM = ord("0") * sum(_ID_WEIGHTS)
# First two digits of every province-level division of GB/T 2260.
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "  # noqa: SIM905
    "50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
_PHONE_RE = re.compile(r"\+?[0-9]{5,15}")
# Free text (client ids, agent codes, consent references, unknown keys) must
# not carry a resident number or a mobile number, however it is written. The
# text is first normalised (NFKC, so full-width digits become ASCII, and every
# other decimal digit its ASCII twin), then scanned twice: with separators
# dropped (138.0000.1234, (138)00001234, 4113 8119 ...) and with separators
# turned into spaces (2026-13800001234: joining would hide the phone in a
# longer run of digits).
_SEPARATORS_RE = re.compile(
    r"[\s\-\u2010-\u2015\u2212\u00ad\u200b-\u200d\u2060\ufeff.()\[\]/_,\u00b7]+"
)
_ELEVEN_DIGITS_RE = re.compile(r"[0-9]{11}")
# The ASCII separators of _SEPARATORS_RE, deleted by str.translate (the common case).
_DROP_ASCII_SEPARATORS = str.maketrans("", "", " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f-.()[]/_,")
# UUIDs and hex digests (32 hex characters or more, with a letter) are nobody's
# number, but their digits fall into phone-shaped runs (1 UUID or MD5 in 500 or
# so, more once hyphens are dropped): they are masked before the scan.
_OPAQUE_RE = re.compile(
    r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"
    r"|(?<![0-9A-Za-z])(?=[0-9]*[a-fA-F])[0-9a-fA-F]{32,}(?![0-9A-Za-z])"
)
_DIGIT_RUN_RE = re.compile(r"[0-9]{17,}[Xx]?")
# A mainland mobile number (1[3-9] and 9 more digits), alone or after +86 /
# 0086 / 86, not inside a longer run of digits: a 13-digit epoch-milliseconds id
# starting with 17 is not a phone number.
_MOBILE_RE = re.compile(r"(?<![0-9])(?:\+?86|0086)? ?1[3-9][0-9] ?[0-9]{4} ?[0-9]{4}(?![0-9])")


class IdentityError(ValueError):
    """A malformed identity value. The message never contains the value."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Identity:
    """What the service keeps of a resident's identity number."""

    identity_ref: str
    region_code: str
    birth_year: int


def _weighted_sum(first17: str) -> int:
    # The digits' ASCII codes times the weights, less 48 ("0") times the
    # weights: no int() per digit. This runs for every record of every batch.
    return sum(map(operator.mul, first17.encode("ascii"), _ID_WEIGHTS)) - _ID_ZERO_SUM


def resident_id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits (GB 11643-1999)."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("The check character is computed over exactly 17 digits.")
    return _ID_CHECK[_weighted_sum(first17) % 11]


# Today as YYYYMMDD, re-read at most once a minute (no birth date may be later).
_today: list = [0.0, ""]


def _today_digits() -> str:
    now = time.monotonic()
    if now - _today[0] > 60:
        _today[:] = [now, dt.date.today().strftime("%Y%m%d")]
    return _today[1]


def normalise_resident_id(value: object) -> str:
    """Validate a GB 11643-1999 resident identity number and return it normalised.

    Raises IdentityError with a stable code: ``invalid_type``,
    ``invalid_format``, ``invalid_region``, ``invalid_birth_date`` or
    ``invalid_checksum``. The message never contains the value.
    """
    if type(value) is not str:
        raise IdentityError("invalid_type", _("Must be a string of 18 characters."))
    number = value.strip().upper()
    if not _ID_RE.fullmatch(number):
        raise IdentityError(
            "invalid_format", _("Must be 17 digits followed by a digit or X (18 characters).")
        )
    if number[:2] not in PROVINCE_CODES:
        raise IdentityError(
            "invalid_region", _("The administrative division code is not a valid province.")
        )
    born = number[6:14]
    try:
        dt.date(int(born[:4]), int(born[4:6]), int(born[6:]))
    except ValueError:
        raise IdentityError("invalid_birth_date", _("The birth date is not a real date.")) from None
    if born < "18800101" or born > _today_digits():
        raise IdentityError("invalid_birth_date", _("The birth date is out of range."))
    if _ID_CHECK[_weighted_sum(number[:17]) % 11] != number[17]:
        raise IdentityError("invalid_checksum", _("The check character does not match."))
    return number


def _ascii_digits(text: str) -> str:
    """``text`` under NFKC, with every remaining decimal digit (Arabic-Indic, ...) as ASCII."""
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.decimal(char)) if not char.isascii() and char.isdecimal() else char
        for char in text
    )


def contains_personal_number(text: str) -> bool:
    """True if ``text`` holds a valid resident identity number or a mainland mobile number.

    A resident number is any 18 characters of a run of digits (17 digits and a
    digit or X) that ``normalise_resident_id`` accepts: province, birth date
    and check character all valid, which keeps long numeric ids (snowflake
    ids, timestamps) from being taken for one. Separators (spaces, dashes,
    dots, brackets, slashes, underscores, invisible formatting characters)
    do not hide a number, nor do full-width or other non-ASCII digits. UUIDs
    and hex digests are left out: their digits make false matches.
    Cheap for the short strings it is meant for (it runs on every client id
    of every batch): most are dismissed by one translation and one search.
    """
    if len(text) < 11:
        return False
    if text.isascii():
        if len(text) >= 32:
            text = _OPAQUE_RE.sub("~", text)
        joined = text.translate(_DROP_ASCII_SEPARATORS)
    else:
        text = _ascii_digits(text)
        if len(text) >= 32:
            text = _OPAQUE_RE.sub("~", text)
        joined = _SEPARATORS_RE.sub("", text)
    if _ELEVEN_DIGITS_RE.search(joined) is None:
        return False
    if _MOBILE_RE.search(joined) is not None:
        return True
    if joined != text and _MOBILE_RE.search(_SEPARATORS_RE.sub(" ", text)) is not None:
        return True
    for match in _DIGIT_RUN_RE.finditer(joined):
        run = match.group().upper()
        for start in range(len(run) - 17):
            try:
                normalise_resident_id(run[start : start + 18])
            except IdentityError:
                continue
            return True
    return False


def is_division_code(value: str, *, allow_prefix: bool = False) -> bool:
    """True for a 6-digit division code (or, with allow_prefix, its 2/4-digit prefix)."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        return False
    lengths = (2, 4, 6) if allow_prefix else (6,)
    return len(value) in lengths and value[:2] in PROVINCE_CODES


# The HMAC keyed with the pepper, made once: copying a keyed HMAC skips
# re-deriving its inner and outer pads, a third of the cost of a pseudonym.
# Dropped when the setting changes (tests override it).
_keyed: hmac.HMAC | None = None


@receiver(setting_changed)
def _forget_pepper(*, setting: str, **kwargs) -> None:
    global _keyed
    if setting == "AUDITSVC_PEPPER":
        _keyed = None


def _keyed_hmac() -> hmac.HMAC:
    global _keyed
    keyed = _keyed
    if keyed is None:
        keyed = _keyed = hmac.new(settings.AUDITSVC_PEPPER.encode(), digestmod=hashlib.sha256)
    return keyed.copy()


def pseudonym(kind: str, value: str) -> str:
    """Keyed pseudonym: hex HMAC-SHA256(pepper, kind + ":" + normalised value)."""
    mac = _keyed_hmac()
    mac.update(f"{kind}:{value}".encode())
    return mac.hexdigest()


def resident_identity(scheme: object, value: object) -> Identity:
    """Validate a resident identity and return what may be stored of it."""
    if scheme != RESIDENT_ID_SCHEME:
        raise IdentityError(
            "unknown_scheme",
            _("Scheme must be one of: %(schemes)s.") % {"schemes": ", ".join(SCHEMES)},
        )
    number = normalise_resident_id(value)
    return Identity(
        identity_ref=pseudonym(RESIDENT_ID_SCHEME, number),
        region_code=number[:6],
        birth_year=int(number[6:10]),
    )


def normalise_phone(value: object) -> str:
    """Digits of a phone number with an optional leading +; mainland numbers get +86."""
    if not isinstance(value, str):
        raise IdentityError("invalid_type", _("Must be a string."))
    compact = re.sub(r"[\s\-().]", "", value)
    if compact.startswith("00"):
        # "00" is the international call prefix: 0086139... is +86139...
        compact = "+" + compact[2:]
    if not _PHONE_RE.fullmatch(compact):
        raise IdentityError("invalid_format", _("Must be a phone number of 5 to 15 digits."))
    if not compact.startswith("+"):
        if len(compact) == 11 and compact[0] == "1":
            compact = "+86" + compact  # a mainland mobile number
        elif compact[0] == "0":
            # A domestic number with its trunk prefix (010-12345678): the 0 is
            # dropped when dialled from abroad, so +8610... is the same line.
            compact = "+86" + compact[1:]
        else:
            compact = "+" + compact
    return compact


def phone_ref(value: object) -> str:
    """Pseudonym of a phone number."""
    return pseudonym("phone", normalise_phone(value))


def account_ref(platform_code: str, value: object) -> str:
    """Pseudonym of an account id at one platform (ids of two platforms may collide)."""
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise IdentityError(
            "invalid_format", _("Must be a non-empty string of at most 200 characters.")
        )
    return pseudonym("account", f"{platform_code}:{value.strip()}")


def device_ref(value: object) -> str:
    """Pseudonym of a device identifier (any opaque string of 1-200 characters)."""
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise IdentityError(
            "invalid_format", _("Must be a non-empty string of at most 200 characters.")
        )
    return pseudonym("device", value.strip())
