"""One line of entries.jsonl, by the short road (a line as the service writes it) and the full one.

The short road hashes the entry's bytes as they stand in a canonical line;
everything else goes the full road, which re-canonicalises. Both must give
the same leaf for the same entry and refuse the same lines with the same
check, whichever form the line takes.
"""

from __future__ import annotations

import json

import pytest

from auditsvc.core import merkle
from auditsvc.core.canonical import b64encode, canonical_bytes, entry_bytes
from auditsvc.core.keys import SigningKey, sign_entry
from auditsvc.verifier.records import LineRefused, LineRules, check_line

RECORDED_AT = "2026-11-01T02:03:04.000005Z"


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate("audit.ybj.example")


def record(key: SigningKey, body: dict | None = None, seq: int = 7) -> dict:
    data = entry_bytes("P0001", seq, RECORDED_AT, "access_event", body or {"agent": "A-1"})
    leaf = merkle.leaf_hash(data)
    return {
        "entry": json.loads(data),
        "key_id": key.key_id,
        "leaf_hash": leaf.hex(),
        "signature": b64encode(sign_entry(key, leaf)),
    }


def rules(key: SigningKey, *, signatures: bool = True) -> LineRules:
    return LineRules(log="P0001", check_signatures=signatures, trusted=(key.verifier_string(),))


def refusal(line: bytes, rules: LineRules, seq: int | None = 7) -> LineRefused:
    with pytest.raises(LineRefused) as caught:
        check_line(line, seq, rules)
    return caught.value


@pytest.mark.parametrize("signatures", [True, False])
def test_a_canonical_line_and_a_reformatted_one_give_the_same_leaf(key, signatures):
    rec = record(key, {"agent": "A-1", "note": "居民", "fields": ["name"]})
    canonical = canonical_bytes(rec)
    spaced = json.dumps(rec, indent=1, ensure_ascii=True).encode()
    assert canonical.startswith(b'{"entry":{')  # the form the short road takes

    short = check_line(canonical, 7, rules(key, signatures=signatures))
    full = check_line(spaced, 7, rules(key, signatures=signatures))

    assert short == full
    assert short.leaf_hash.hex() == rec["leaf_hash"]
    assert (short.seq, short.recorded_at) == (7, RECORDED_AT)


@pytest.mark.parametrize("signatures", [True, False])
def test_a_key_repeated_in_the_tail_is_refused(key, signatures):
    rec = record(key)
    line = canonical_bytes(rec)[:-1] + b',"signature":"' + rec["signature"].encode() + b'"}'

    refused = refusal(line, rules(key, signatures=signatures))

    assert refused.check == "malformed_line"
    assert "appears twice" in refused.message


def test_a_key_repeated_in_the_entry_is_refused_even_with_its_hash_redone(key):
    rec = record(key)
    raw = canonical_bytes(rec["entry"])
    doubled = raw[:-1] + b',"seq":8}'  # two seqs: parsers differ on which one counts
    leaf = merkle.leaf_hash(doubled).hex()
    line = (
        b'{"entry":'
        + doubled
        + f',"key_id":"{key.key_id}","leaf_hash":"{leaf}",'.encode()
        + f'"signature":"{rec["signature"]}"}}'.encode()
    )

    refused = refusal(line, rules(key))

    assert refused.check == "malformed_line"
    assert "appears twice" in refused.message


def test_an_escaped_quote_in_the_tail_goes_the_full_road_and_is_refused(key):
    rec = record(key)
    rec["key_id"] = 'ab"cd'

    refused = refusal(canonical_bytes(rec), rules(key))

    assert refused.check == "untrusted_key"


@pytest.mark.parametrize(
    ("change", "check"),
    [
        (lambda r: r["entry"].update(log="P0002"), "other_log"),
        (lambda r: r["entry"].update(seq=8), "sequence"),
        (lambda r: r["entry"]["body"].update(agent="A-2"), "entry_altered"),
        (lambda r: r.update(leaf_hash="0" * 64), "entry_altered"),
        (lambda r: r.update(signature=b64encode(bytes(64))), "bad_signature"),
        (lambda r: r["entry"].update(recorded_at="2026-11-01 02:03:04"), "malformed_entry"),
        (lambda r: r["entry"]["body"].update(amount=1.5), "malformed_line"),  # no floats
    ],
)
def test_a_canonical_line_that_fails_a_check_is_refused_by_name(key, change, check):
    rec = record(key)
    change(rec)
    line = json.dumps(rec, separators=(",", ":"), sort_keys=True).encode()

    assert refusal(line, rules(key)).check == check


def test_a_line_as_the_service_writes_it_takes_the_short_road(key):
    from auditsvc.verifier.records import _check_line_as_written

    rec = record(key, {"agent": "A-1", "note": '居民 "quoted" \\ and },"kind":"x"'})
    canonical = canonical_bytes(rec)

    short = _check_line_as_written(canonical, 7, rules(key))

    assert short is not None
    assert short == check_line(canonical, 7, rules(key))
    assert _check_line_as_written(json.dumps(rec, indent=1).encode(), 7, rules(key)) is None


def test_a_signature_spelt_in_a_second_base64_form_is_refused(key):
    rec = record(key)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = rec["signature"][-3]
    # The same 64 bytes with a padding bit set: base64.b64decode alone accepts it.
    rec["signature"] = rec["signature"][:-3] + alphabet[alphabet.index(last) + 1] + "=="

    refused = refusal(canonical_bytes(rec), rules(key))

    assert refused.check == "malformed_line"
    assert "canonical form" in refused.message


@pytest.mark.parametrize("key_id", [b"\xff\xfe", b"ABCD", b""])
def test_a_key_id_that_is_not_lowercase_hex_is_refused_not_a_crash(key, key_id):
    line = canonical_bytes(record(key)).replace(key.key_id.encode(), key_id)

    refused = refusal(line, rules(key))

    assert refused.check in {"malformed_line", "untrusted_key"}
