"""Unified social credit codes (GB 32100-2015) and administrative division codes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from partners.validators import (
    USCC_ALPHABET,
    uscc_check_char,
    validate_division_code,
    validate_region_list,
    validate_uscc,
)

# Codes of real companies, printed on their business licences; the check
# character can be recomputed by hand with the algorithm in DESIGN.md.
REAL_CODES = [
    "914403001922038216",  # Huawei Technologies Co., Ltd. (Shenzhen)
    "91440300708461136T",  # Shenzhen Tencent Computer Systems Co., Ltd.
    "91110000802100433B",  # Beijing Baidu Netcom Science and Technology Co., Ltd.
    "91330100716105852F",  # Alibaba (China) Co., Ltd. (Hangzhou)
]


def _full_width(text: str) -> str:
    """The same digits as full-width characters (U+FF10...), which str.isdigit() accepts."""
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


def _with_check(first17: str) -> str:
    return first17 + uscc_check_char(first17)


# A village collective economic organisation: registered by agriculture and
# rural affairs (N), class 2 (village level), in Dengzhou (411381).
VILLAGE_COLLECTIVE = _with_check("N2411381MF0031527")


def _code(exc: pytest.ExceptionInfo) -> str:
    return exc.value.error_list[0].code


def test_it_computes_the_check_character_by_the_standard_weights():
    # Huawei: sum of value * 3^(i-1) mod 31 over the first 17 characters.
    first17 = REAL_CODES[0][:17]
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    assert USCC_ALPHABET[(31 - total % 31) % 31] == "6" == uscc_check_char(first17)


@pytest.mark.parametrize("code", REAL_CODES)
def test_it_accepts_real_company_codes(code):
    validate_uscc(code)


def test_it_accepts_a_village_collective_code_starting_with_n():
    assert VILLAGE_COLLECTIVE.startswith("N2411381")
    validate_uscc(VILLAGE_COLLECTIVE)


@pytest.mark.parametrize("code", REAL_CODES)
def test_it_refuses_a_wrong_check_character(code):
    wrong = next(c for c in USCC_ALPHABET if c != code[17])
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code[:17] + wrong)
    assert _code(exc) == "invalid_uscc_checksum"


def test_it_refuses_a_single_changed_character():
    code = REAL_CODES[1]
    tampered = code[:10] + ("1" if code[10] != "1" else "2") + code[11:]
    with pytest.raises(ValidationError) as exc:
        validate_uscc(tampered)
    assert _code(exc) == "invalid_uscc_checksum"


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_it_refuses_the_letters_the_standard_leaves_out(letter):
    # Position 12 is inside the organisation code, where letters are allowed.
    code = REAL_CODES[0]
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code[:12] + letter + code[13:])
    assert _code(exc) == "invalid_uscc_format"


@pytest.mark.parametrize(
    "code",
    [
        REAL_CODES[0][:17],  # 17 characters
        REAL_CODES[0] + "0",  # 19 characters
        "",
        "91440300708461136t",  # lower-case check character
        "91440300ma5eq3r1xw",  # lower-case letters inside
        " 91440300708461136T",  # padding
        _full_width(REAL_CODES[0]),  # full-width digits
    ],
    ids=["17-chars", "19-chars", "empty", "lower-check", "lower-body", "padded", "full-width"],
)
def test_it_refuses_malformed_codes(code):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code)
    assert _code(exc) == "invalid_uscc_format"


def test_it_refuses_a_non_string():
    with pytest.raises(ValidationError):
        validate_uscc(914403001922038216)


def test_it_refuses_a_code_whose_region_is_not_a_division():
    # 99 is no province; the check character is right, so only the region fails.
    code = _with_check("91990300708461136")
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code)
    assert _code(exc) == "invalid_uscc_region"


# --- Division codes ---------------------------------------------------------------------


@pytest.mark.parametrize("code", ["411381", "110105", "650102", "820000"])
def test_it_accepts_six_digit_division_codes(code):
    validate_division_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "41",
        "4113",
        "41138",
        "4113811",
        "991381",
        "001381",
        "41138a",
        "",
        _full_width("411381"),
        411381,
    ],
    ids=[
        "prefix-2",
        "prefix-4",
        "5-digits",
        "7-digits",
        "no-province-99",
        "no-province-00",
        "letter",
        "empty",
        "full-width",
        "integer",
    ],
)
def test_it_refuses_anything_but_a_six_digit_division_code(code):
    with pytest.raises(ValidationError) as exc:
        validate_division_code(code)
    assert _code(exc) == "invalid_region_code"


def test_it_accepts_regions_as_codes_and_their_2_and_4_digit_prefixes():
    validate_region_list(["41", "4113", "411381", "110105"])


@pytest.mark.parametrize(
    "regions",
    [["411"], ["41138"], ["99"], ["9913"], ["4113", "abc"], [41], ["4113811"]],
)
def test_it_refuses_regions_that_are_not_codes_or_prefixes(regions):
    with pytest.raises(ValidationError) as exc:
        validate_region_list(regions)
    assert _code(exc) == "invalid_region_code"


@pytest.mark.parametrize("regions", [[], None, "4113", {"4113": True}])
def test_it_refuses_an_empty_or_non_list_region_list(regions):
    with pytest.raises(ValidationError) as exc:
        validate_region_list(regions)
    assert _code(exc) == "regions_required"
