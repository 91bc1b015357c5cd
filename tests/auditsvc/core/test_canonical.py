"""Canonical entry bytes: our json.dumps shortcut must give exactly the RFC 8785 bytes."""

from __future__ import annotations

import datetime as dt
import enum
import re

import pytest
import rfc8785

from auditsvc.core.canonical import (
    MAX_SAFE_INTEGER,
    CanonicalError,
    b64decode_strict,
    canonical_bytes,
    entry_bytes,
    format_time,
    loads,
    parse_time,
)

SAMPLES = [
    {},
    [],
    None,
    True,
    False,
    0,
    -1,
    "",
    {"a": {}, "b": [], "c": [[]], "d": [{}]},
    {"z": 1, "a": 2, "m": {"y": True, "b": False, "k": None}},
    {"name": "张伟", "address": "北京市朝阳区建国路88号", "note": "医保卡 enrolment"},
    {"controls": "".join(chr(c) for c in range(0x20)) + "\x7f"},
    {"quotes": 'say "hi"', "backslash": "C:\\path\\to", "slash": "a/b"},
    {"separators": "line\u2028separator\u2029paragraph", "bom": "\ufeff", "nbsp": "\u00a0"},
    {"emoji": "card \U0001f4b3 ok", "astral": "\U00020000", "combining": "e\u0301"},
    {"big": MAX_SAFE_INTEGER, "small": -MAX_SAFE_INTEGER, "near": 2**53 - 2, "ten": 10**15},
    {"ints": [0, 1, -1, 100, 12345678901234]},
    {"flags": [True, False, None], "mixed": [1, "two", {"three": [3]}, None]},
    {"Upper": 1, "lower": 2, "_under": 3, "1digit": 4, "a-b": 5, "a.b": 6, "": 7},
    {"deep": {"a": {"b": {"c": {"d": {"e": ["f", {"g": "h"}]}}}}}},
    {
        "v": 1,
        "log": "P0001",
        "seq": 41,
        "recorded_at": "2026-11-23T08:00:00.000000Z",
        "kind": "identity.accessed",
        "body": {
            "agent": "A-0001",
            "identity_ref": "idr_9f2c",
            "purpose": "enrolment",
            "fields": ["name", "id_number"],
            "remark": "患者本人到场办理\n第二行\t制表",
        },
    },
]


@pytest.mark.parametrize("value", SAMPLES, ids=range(len(SAMPLES)))
def test_it_matches_rfc8785_on_the_ledger_subset(value):
    assert canonical_bytes(value) == rfc8785.dumps(value)


def test_it_sorts_keys_and_writes_no_whitespace():
    assert canonical_bytes({"b": [1, 2], "a": {"d": 1, "c": None}}) == (
        b'{"a":{"c":null,"d":1},"b":[1,2]}'
    )


def test_it_writes_unicode_raw_and_escapes_only_what_json_requires():
    value = {"s": '中\u2028"\\\n\x01\x1f'}
    assert canonical_bytes(value) == '{"s":"中\u2028\\"\\\\\\n\\u0001\\u001f"}'.encode()


def test_it_treats_tuples_and_enum_strings_as_their_plain_json_values():
    class Kind(enum.StrEnum):
        ACCESS = "identity.accessed"

    class Level(enum.IntEnum):
        HIGH = 3

    assert canonical_bytes({"k": Kind.ACCESS, "l": Level.HIGH, "t": (1, 2)}) == (
        b'{"k":"identity.accessed","l":3,"t":[1,2]}'
    )


@pytest.mark.parametrize(
    "value",
    [1.0, 0.5, float("nan"), float("inf"), {"a": [1, {"b": 2.5}]}, [1e3]],
    ids=["one", "half", "nan", "inf", "nested", "exponent"],
)
def test_it_refuses_floats(value):
    with pytest.raises(CanonicalError, match="floats are not allowed"):
        canonical_bytes(value)


@pytest.mark.parametrize("value", [2**53, -(2**53), 2**64, {"a": [10**20]}])
def test_it_refuses_integers_beyond_what_a_double_holds_exactly(value):
    with pytest.raises(CanonicalError, match=r"outside \+/-\(2\*\*53-1\)"):
        canonical_bytes(value)


@pytest.mark.parametrize("key", ["é", "名字", "\u2028", "a\U0001f4b3"])
def test_it_refuses_non_ascii_keys(key):
    with pytest.raises(CanonicalError, match="not ASCII"):
        canonical_bytes({"body": {key: 1}})


@pytest.mark.parametrize("key", [1, True, None, ("a",)])
def test_it_refuses_non_string_keys(key):
    with pytest.raises(CanonicalError, match="not a string"):
        canonical_bytes({key: 1})


@pytest.mark.parametrize(
    "value",
    [
        {1, 2},
        b"bytes",
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        object(),
        {"a": dt.date(2026, 1, 1)},
    ],
    ids=["set", "bytes", "datetime", "object", "nested-date"],
)
def test_it_refuses_other_types(value):
    with pytest.raises(CanonicalError, match="not a JSON value of the ledger subset"):
        canonical_bytes(value)


def test_it_refuses_unpaired_surrogates():
    with pytest.raises(CanonicalError, match="surrogate"):
        canonical_bytes({"s": "\ud800"})


def test_its_error_names_the_path_of_the_refused_value():
    with pytest.raises(CanonicalError, match=r"^\$\.body\.items\[2\]\.price: floats"):
        canonical_bytes({"body": {"items": [1, 2, {"price": 9.99}]}})


def test_entry_bytes_builds_the_versioned_entry_object():
    data = entry_bytes(
        "P0001", 7, "2026-11-23T08:00:00.000000Z", "session.opened", {"agent": "A-1"}
    )
    assert data == (
        b'{"body":{"agent":"A-1"},"kind":"session.opened","log":"P0001",'
        b'"recorded_at":"2026-11-23T08:00:00.000000Z","seq":7,"v":1}'
    )
    assert data == rfc8785.dumps(
        {
            "v": 1,
            "log": "P0001",
            "seq": 7,
            "recorded_at": "2026-11-23T08:00:00.000000Z",
            "kind": "session.opened",
            "body": {"agent": "A-1"},
        }
    )


@pytest.mark.parametrize(
    "args",
    [
        ("", 0, "t", "k", {}),
        ("P0001", -1, "t", "k", {}),
        ("P0001", True, "t", "k", {}),
        ("P0001", 0, "t", "", {}),
        ("P0001", 0, "t", "k", []),
        ("P0001", 0, "t", "k", {"x": 1.5}),
    ],
    ids=["empty-log", "negative-seq", "bool-seq", "empty-kind", "list-body", "float-in-body"],
)
def test_entry_bytes_refuses_malformed_entries(args):
    with pytest.raises(CanonicalError):
        entry_bytes(*args)


def test_format_time_writes_utc_with_six_fractional_digits_and_z():
    assert format_time(dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)) == (
        "2026-11-23T08:00:00.000000Z"
    )
    beijing = dt.timezone(dt.timedelta(hours=8))
    assert format_time(dt.datetime(2026, 11, 23, 16, 0, 0, 1234, tzinfo=beijing)) == (
        "2026-11-23T08:00:00.001234Z"
    )
    assert format_time(dt.datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC)) == (
        "0999-01-02T03:04:05.000006Z"
    )


def test_format_time_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="aware"):
        format_time(dt.datetime(2026, 11, 23, 8, 0))


def test_parse_time_round_trips_with_format_time():
    text = "2026-11-23T08:00:00.123456Z"
    parsed = parse_time(text)
    assert parsed == dt.datetime(2026, 11, 23, 8, 0, 0, 123456, tzinfo=dt.UTC)
    assert format_time(parsed) == text


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-23T08:00:00Z",
        "2026-11-23T08:00:00.123Z",
        "2026-11-23T08:00:00.000000+00:00",
        "2026-11-23 08:00:00.000000Z",
        "2026-11-23T08:00:00.000000z",
        "2026-02-30T08:00:00.000000Z",
        "٢٠٢٦-11-23T08:00:00.000000Z",
        " 2026-11-23T08:00:00.000000Z",
    ],
)
def test_parse_time_refuses_anything_but_the_canonical_form(text):
    with pytest.raises(ValueError):
        parse_time(text)


def test_b64decode_strict_refuses_non_canonical_base64():
    assert b64decode_strict("AA==") == b"\x00"
    for text in ["AB==", "AA", "A A=", "AA==\n"]:
        with pytest.raises(ValueError):
            b64decode_strict(text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b'{"a":1.5}', "floats are not allowed (1.5)"),
        (b'{"a":1e3}', "floats are not allowed (1e3)"),
        (b'{"a":NaN}', "NaN is not JSON"),
        (b'{"a":9007199254740992}', "integer 9007199254740992 is outside"),
        (b'{"a":1,"b":{"c":1,"c":2}}', "the key 'c' appears twice in one object"),
        ('{"\u00e9":1}'.encode(), "object key 'é' is not ASCII"),
        (b'{"\\u00e9":1}', "object key 'é' is not ASCII"),
        (b'{"a":', "not JSON"),
        (b'{"a":"\xff"}', "not JSON"),
    ],
)
def test_loads_refuses_text_outside_the_subset(text, reason):
    with pytest.raises(CanonicalError, match=re.escape(reason)):
        loads(text)


@pytest.mark.parametrize("value", SAMPLES, ids=range(len(SAMPLES)))
def test_loads_gives_back_what_canonical_bytes_wrote(value):
    parsed = loads(canonical_bytes(value))

    assert canonical_bytes(parsed, checked=True) == canonical_bytes(value)
