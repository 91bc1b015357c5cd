"""auditsvc.base.identities: GB 11643-1999 numbers and keyed pseudonyms."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest

from auditsvc.base import identities
from auditsvc.base.identities import IdentityError
from tests.auditsvc.ingestion.support import RESIDENT as RESIDENT_NUMBER

# The example of GB 11643-1999 itself, and a few computed by hand.
VALID = ["11010519491231002X", "440524188001010014", "41138119500307123X"]


@pytest.mark.parametrize("number", VALID)
def test_it_accepts_valid_numbers(number):
    assert identities.normalise_resident_id(number) == number


def test_it_computes_the_iso_7064_check_character():
    assert identities.resident_id_check_char("11010519491231002") == "X"
    assert identities.resident_id_check_char("44052418800101001") == "4"
    with pytest.raises(ValueError):
        identities.resident_id_check_char("1101051949123100")


def test_it_normalises_case_and_surrounding_space():
    assert identities.normalise_resident_id(" 11010519491231002x\n") == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (11010519491231002, "invalid_type"),
        (None, "invalid_type"),
        ("11010519491231002", "invalid_format"),
        ("1101051949123100200", "invalid_format"),
        ("1101051949123100X2", "invalid_format"),
        ("11010519491231002Y", "invalid_format"),
        ("".join(chr(0x660 + int(d)) for d in "11010519491231002") + "X", "invalid_format"),
        ("990105194912310025", "invalid_region"),
        ("000105194912310025", "invalid_region"),
        ("110105194902300025", "invalid_birth_date"),  # 30 February
        ("110105187912310020", "invalid_birth_date"),  # before 1880
        ("110105219912310027", "invalid_birth_date"),  # in the future
        ("110105194912310021", "invalid_checksum"),
    ],
)
def test_it_refuses_invalid_numbers_with_a_stable_code(value, code):
    with pytest.raises(IdentityError) as caught:
        identities.normalise_resident_id(value)

    assert caught.value.code == code
    if isinstance(value, str):
        assert value not in caught.value.message
        assert value[:17] not in str(caught.value)


def test_it_keeps_only_a_pseudonym_the_division_code_and_the_birth_year():
    identity = identities.resident_identity("cn-resident-id", "11010519491231002x")

    expected = hmac.new(
        b"test-pepper-0123456789abcdef", b"cn-resident-id:11010519491231002X", hashlib.sha256
    ).hexdigest()
    assert identity == identities.Identity(expected, "110105", 1949)


def test_it_refuses_an_unknown_scheme():
    with pytest.raises(IdentityError) as caught:
        identities.resident_identity("passport", "E12345678")

    assert caught.value.code == "unknown_scheme"


def test_a_pseudonym_depends_on_the_pepper(settings):
    before = identities.resident_identity("cn-resident-id", VALID[0]).identity_ref

    settings.AUDITSVC_PEPPER = "another-pepper-0123456789"
    after = identities.resident_identity("cn-resident-id", VALID[0]).identity_ref

    assert before != after
    assert (
        after
        == hmac.new(
            b"another-pepper-0123456789", f"cn-resident-id:{VALID[0]}".encode(), hashlib.sha256
        ).hexdigest()
    )


def test_pseudonyms_of_different_kinds_never_collide():
    assert identities.pseudonym("phone", "+8613800000000") != identities.pseudonym(
        "device", "+8613800000000"
    )


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("13800000000", "+8613800000000"),
        ("+86 138-0000-0000", "+8613800000000"),
        ("+8613800000000", "+8613800000000"),
        ("(0377) 6221 1234", "+8637762211234"),  # was +0377...: trunk 0 is dropped
        ("+1 202 555 0100", "+12025550100"),
        ("008613912345678", "+8613912345678"),  # 00 is the international prefix
        ("0086 139-1234-5678", "+8613912345678"),
        ("010-12345678", "+861012345678"),  # trunk 0 of a domestic number
        ("+86 10 1234 5678", "+861012345678"),
        ("0044 20 7946 0000", "+442079460000"),
    ],
)
def test_it_normalises_phone_numbers_before_pseudonymising(value, normalised):
    assert identities.normalise_phone(value) == normalised
    assert identities.phone_ref(value) == identities.pseudonym("phone", normalised)


@pytest.mark.parametrize("value", ["1234", "+86 138 0000 0000 0000", "138-0000-000a", ""])
def test_it_refuses_what_is_not_a_phone_number(value):
    with pytest.raises(IdentityError) as caught:
        identities.phone_ref(value)

    assert caught.value.code == "invalid_format"


def test_it_pseudonymises_devices_and_accounts():
    assert identities.device_ref(" tablet-1 ") == identities.pseudonym("device", "tablet-1")
    assert identities.account_ref("P0009", "622202") == identities.pseudonym(
        "account", "P0009:622202"
    )
    assert identities.account_ref("P0009", "622202") != identities.account_ref("P0010", "622202")
    for bad in ("", "   ", "x" * 201):
        with pytest.raises(IdentityError):
            identities.device_ref(bad)
        with pytest.raises(IdentityError):
            identities.account_ref("P0009", bad)


@pytest.mark.parametrize(
    ("code", "allow_prefix", "expected"),
    [
        ("411381", False, True),
        ("4113", False, False),
        ("4113", True, True),
        ("41", True, True),
        ("411", True, False),
        ("991381", False, False),
        ("".join(chr(0xFF10 + int(d)) for d in "411381"), False, False),  # full width
        (411381, False, False),
    ],
)
def test_it_recognises_division_codes(code, allow_prefix, expected):
    assert identities.is_division_code(code, allow_prefix=allow_prefix) is expected


def test_birth_dates_are_checked_against_today():
    today = dt.date.today()
    first17 = f"110105{today:%Y%m%d}002"
    number = first17 + identities.resident_id_check_char(first17)

    assert identities.normalise_resident_id(number) == number


@pytest.mark.parametrize(
    "spellings",
    [
        ["+8613912345678", "13912345678", "008613912345678", "+86 139 1234 5678"],
        ["010-12345678", "+861012345678", "0086 10 1234 5678", "(010) 1234 5678"],
    ],
)
def test_every_spelling_of_one_phone_gets_the_same_pseudonym(spellings):
    assert len({identities.phone_ref(value) for value in spellings}) == 1


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (RESIDENT_NUMBER, True),
        (f"ref-{RESIDENT_NUMBER.lower()}-2", True),
        (f"9{RESIDENT_NUMBER}", True),  # inside a longer run of digits
        ("13912345678", True),
        ("+8613912345678", True),
        ("008613912345678", True),
        ("c-139 1234 5678", True),
        ("1732345678901", False),  # epoch milliseconds, not a phone
        ("12912345678", False),  # 12 is no mobile prefix
        ("s-1", False),
        ("", False),
        # Written with separators, full-width or other digits (issue 7, item 7).
        ("411381 19500307 123X", True),
        ("4113-8119-5003-0712-3X", True),
        (
            "\uff14\uff11\uff11\uff13\uff18\uff11\uff11\uff19\uff15\uff10\uff10\uff13"
            "\uff10\uff17\uff11\uff12\uff13\uff38",
            True,
        ),  # full width
        ("138.0000.1234", True),
        ("(138)00001234", True),
        ("(+86) 138-0000-1234", True),
        ("138\u20140000\u20141234", True),  # em dashes
        ("138\u200b0000\u200b1234", True),  # zero-width spaces
        ("\u0661\u0663\u0668\u0660\u0660\u0660\u0660\u0661\u0662\u0663\u0664", True),
        ("2026-13800001234", True),  # beside other digits
        ("ref 138 0000 1234 x", True),
        # Not personal numbers: UUIDs, digests, dates and sequence numbers.
        ("0b6f3f0e-6a55-4d8e-9d55-2d7f3f1c9a10", False),
        ("13800001-2345-4d8e-9d55-138000012345", False),
        ("5f0c6a3f9e1d4b7a8c2e0f1d3b5a7c9e13800001234d5b7a9c1e3f5d7b9a1c3e", False),
        ("e-20261123-000001", False),
        ("2026/11/23#17", False),
    ],
)
def test_it_finds_resident_and_mobile_numbers_in_free_text(text, found):
    assert identities.contains_personal_number(text) is found


def test_a_resident_number_written_in_full_width_digits_is_found():
    number = "41138119500307123X"  # one of VALID
    wide = "".join(chr(ord(c) + 0xFEE0) for c in number)

    assert identities.contains_personal_number(f"ref {wide}")


def test_the_fast_ascii_path_drops_the_same_separators():
    separators = {chr(i) for i in range(128) if identities._SEPARATORS_RE.fullmatch(chr(i))}

    assert {chr(code) for code in identities._DROP_ASCII_SEPARATORS} == separators
