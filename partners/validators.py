"""Validators for organisation codes and administrative divisions."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from auditsvc.base.identities import is_division_code

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_RE = re.compile(rf"^[{USCC_ALPHABET}]{{18}}$")


def uscc_check_char(first17: str) -> str:
    """Check character of a unified social credit code (GB 32100-2015)."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    """Refuse anything but an 18-character USCC with a correct check character.

    The first character (registration authority) may be a letter, e.g. N for
    village collectives; I, O, S, V and Z never occur.
    """
    if not isinstance(value, str) or not _USCC_RE.match(value):
        raise ValidationError(
            _(
                "A unified social credit code is 18 characters of 0-9 and A-Y without I, O, S, V, Z."  # noqa: E501
            ),
            code="invalid_uscc_format",
        )
    if not is_division_code(value[2:8]):
        raise ValidationError(
            _("Characters 3-8 of the code must be an administrative division code."),
            code="invalid_uscc_region",
        )
    if uscc_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("The check character does not match."), code="invalid_uscc_checksum"
        )


def validate_division_code(value: str) -> None:
    """A 6-digit administrative division code (GB/T 2260)."""
    if not is_division_code(value):
        raise ValidationError(
            _("%(value)s is not a 6-digit administrative division code."),
            code="invalid_region_code",
            params={"value": value},
        )


def validate_region_list(value: list[str]) -> None:
    """Authorised regions: 6-digit codes or their 2- and 4-digit prefixes."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_("List at least one region."), code="regions_required")
    bad = [code for code in value if not is_division_code(code, allow_prefix=True)]
    if bad:
        raise ValidationError(
            _("Not a division code or a 2- or 4-digit prefix: %(bad)s"),
            code="invalid_region_code",
            params={"bad": ", ".join(map(str, bad))},
        )
