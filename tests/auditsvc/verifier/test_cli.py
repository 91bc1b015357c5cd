"""``auditsvc-verify``: one line for people, JSON for machines, exit 0, 1 (refused) or 2 (usage)."""

from __future__ import annotations

import json

import pytest

from auditsvc.core.documents import LETTER, sign_document
from auditsvc.core.keys import SigningKey
from auditsvc.verifier.cli import main

from .crafted import CraftedLog


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate("audit.ybj.example")


@pytest.fixture
def bundle_path(key, tmp_path):
    return CraftedLog(key).append(30).export(5, 12).write(tmp_path / "bundle.zip")


def test_it_prints_one_ok_line_and_exits_0(bundle_path, key, capsys):
    status = main([str(bundle_path), "--trusted-key", key.verifier_string()])

    out = capsys.readouterr().out
    assert status == 0
    assert out.count("\n") == 1
    assert out.startswith(f"OK: {bundle_path}: log P0001, 7 entries (seqs 5..11)")
    assert "signatures checked" in out


def test_it_names_the_first_bad_seq_and_exits_1(key, tmp_path, capsys):
    bundle = CraftedLog(key).append(30).export(5, 12)
    records = bundle.lines()
    records[3]["entry"]["body"]["n"] = 99
    bundle.set_lines(records)
    path = bundle.seal(key).write(tmp_path / "b.zip")

    status = main([str(path), "--trusted-key", key.verifier_string()])

    out = capsys.readouterr().out
    assert status == 1
    assert out == (
        f"FAILED: {path}: seq 8: the entry does not hash to its leaf_hash: "
        "the entry or its leaf_hash was altered\n"
    )


def test_json_reports_the_failure_for_machines(key, tmp_path, capsys):
    path = tmp_path / "b.zip"
    path.write_bytes(b"PK\x03\x04 not really")

    status = main([str(path), "--trusted-key", key.verifier_string(), "--json"])

    report = json.loads(capsys.readouterr().out)
    assert status == 1
    assert report["ok"] is False
    assert report["failure"]["check"] == "unreadable_zip"


def test_json_says_what_an_ok_bundle_proves(bundle_path, key, capsys):
    main([str(bundle_path), "--trusted-key", key.verifier_string(), "--json", "--fast"])

    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert (report["log"], report["entries"], report["tree_size"]) == ("P0001", 7, 30)
    assert report["signatures_checked"] is False
    assert report["checkpoint_signers"] == [f"audit.ybj.example ({key.key_id})"]
    assert "entry signatures were not checked (--fast)" in report["notes"]


def test_keys_found_only_in_the_bundle_are_reported_as_untrusted(key, tmp_path, capsys):
    stranger = SigningKey.generate("audit.ybj.example")
    path = CraftedLog(key).append(10).export(2, 5, extra_keys=[stranger]).write(tmp_path / "b.zip")

    status = main([str(path), "--trusted-key", key.verifier_string()])

    out = capsys.readouterr().out
    assert status == 0
    assert f"untrusted keys in the bundle (ignored): audit.ybj.example ({stranger.key_id})" in out


def test_a_bundle_signed_by_a_key_found_only_inside_it_is_refused(key, tmp_path, capsys):
    stranger = SigningKey.generate("audit.ybj.example")
    log = CraftedLog(stranger).append(10)
    path = log.export(2, 5, extra_keys=[]).write(tmp_path / "b.zip")

    status = main([str(path), "--trusted-key", key.verifier_string()])

    out = capsys.readouterr().out
    assert status == 1
    assert f"the manifest is signed by key {stranger.key_id}" in out
    assert "keys found only inside the bundle are not trusted" in out


def test_a_malformed_trusted_key_is_a_usage_error(bundle_path):
    with pytest.raises(SystemExit) as exit_info:
        main([str(bundle_path), "--trusted-key", "not-a-key"])

    assert exit_info.value.code == 2


def test_it_checks_a_signed_document(key, tmp_path, capsys):
    letter = sign_document(LETTER, {"number": "L-1", "partner": "P0001"}, key)
    path = tmp_path / "letter.json"
    path.write_text(json.dumps(letter))

    status = main(["document", str(path), "--trusted-key", key.verifier_string()])

    assert status == 0
    assert capsys.readouterr().out == (
        f"OK: {path}: a genuine auditsvc-letter/1 document signed by key {key.key_id}\n"
    )


def test_it_refuses_an_altered_or_foreign_document(key, tmp_path, capsys):
    letter = sign_document(LETTER, {"number": "L-1", "partner": "P0001"}, key)
    letter["document"]["partner"] = "P0666"
    altered = tmp_path / "altered.json"
    altered.write_text(json.dumps(letter))
    stranger = SigningKey.generate("audit.ybj.example")
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps(sign_document(LETTER, {"number": "L-2"}, stranger)))

    assert main(["document", str(altered), "--trusted-key", key.verifier_string()]) == 1
    assert "the document was altered" in capsys.readouterr().out
    assert main(["document", str(foreign), "--trusted-key", key.verifier_string(), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert "not among the trusted keys" in report["failure"]["message"]


def test_it_checks_a_kept_checkpoint_given_as_a_file(key, tmp_path, capsys):
    log = CraftedLog(key).append(10)
    kept = tmp_path / "kept-checkpoint.txt"
    kept.write_text(log.checkpoint())
    path = log.append(15).export(12, 20, previous_size=10).write(tmp_path / "b.zip")
    trusted = key.verifier_string()

    status = main([str(path), "--trusted-key", trusted, "--previous-checkpoint", str(kept)])

    assert status == 0
    assert "consistent with your checkpoint of size 10" in capsys.readouterr().out
    # Without it, the proof is reported as not checked.
    main([str(path), "--trusted-key", trusted, "--json"])
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert notes == [
        "consistency.json proves the log grew from size 10; pass --previous-checkpoint "
        "with the checkpoint you kept to check it"
    ]


def test_a_kept_checkpoint_larger_than_the_bundle_is_a_cut_back_log(key, tmp_path, capsys):
    log = CraftedLog(key).append(25)
    kept = tmp_path / "kept-checkpoint.txt"
    kept.write_text(log.checkpoint())
    path = log.export(12, 20, size=18).write(tmp_path / "b.zip")

    status = main(
        [str(path), "--trusted-key", key.verifier_string(), "--previous-checkpoint", str(kept)]
    )

    assert status == 1
    assert (
        "the checkpoint you kept has tree size 25, but this bundle's has 18"
        in capsys.readouterr().out
    )


def test_a_missing_previous_checkpoint_file_is_a_usage_error(bundle_path, key, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                str(bundle_path),
                "--trusted-key",
                key.verifier_string(),
                "--previous-checkpoint",
                str(tmp_path / "none"),
            ]
        )

    assert exit_info.value.code == 2


def test_a_damaged_zip_is_refused_without_a_traceback(key, tmp_path, capsys):
    path = CraftedLog(key).append(300).export(5, 290).write(tmp_path / "b.zip")
    data = bytearray(path.read_bytes())
    for offset in range(2000, 2010):  # inside entries.jsonl's compressed bytes
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))

    status = main([str(path), "--trusted-key", key.verifier_string(), "--json"])

    report = json.loads(capsys.readouterr().out)
    assert status == 1
    assert report["failure"]["check"] == "unreadable_zip"
    assert report["failure"]["file"] == "entries.jsonl"
