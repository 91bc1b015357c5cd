"""Bundles as the service writes them pass the offline verifier: a period, an empty one, a
later export checked against the checkpoint kept from the first (auditsvc.verifier)."""

from __future__ import annotations

import json
import zipfile

import pytest

from auditsvc.exports.services import export_file_path, export_request
from auditsvc.ledger.checkpoints import checkpoint_sign
from auditsvc.verifier.cli import main as verify

from .support import at, fill_log

pytestmark = pytest.mark.django_db


def exported(auditor, capture, tmp_path, name, **fields):
    with capture(execute=True):
        export = export_request(actor=auditor, log="P0042", via="api", **fields)
    export.refresh_from_db()
    path = tmp_path / f"{name}.zip"
    path.write_bytes(export_file_path(export).read_bytes())
    return path


def test_the_service_s_bundles_pass_the_offline_verifier(
    auditor, signing_key, tmp_path, capsys, django_capture_on_commit_callbacks
):
    key = signing_key.verifier_string()
    fill_log("P0042", [0, 1, 2, 5, 9, 12])
    first = exported(
        auditor, django_capture_on_commit_callbacks, tmp_path, "first", from_=at(1), to=at(6)
    )
    kept = tmp_path / "kept-checkpoint.txt"
    with zipfile.ZipFile(first) as archive:
        kept.write_bytes(archive.read("checkpoint.txt"))
    fill_log("P0042", [20, 21])
    checkpoint_sign("P0042")
    empty = exported(
        auditor, django_capture_on_commit_callbacks, tmp_path, "empty", from_=at(13), to=at(19)
    )
    later = exported(
        auditor,
        django_capture_on_commit_callbacks,
        tmp_path,
        "later",
        from_=at(0),
        to=at(30),
        previous_size=6,
    )

    assert verify([str(first), "--trusted-key", key, "--jobs", "1"]) == 0
    assert "3 entries (seqs 1..3)" in capsys.readouterr().out
    assert verify([str(empty), "--trusted-key", key, "--jobs", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["entries"] == 0
    assert (
        verify(
            [str(later), "--trusted-key", key, "--jobs", "1", "--previous-checkpoint", str(kept)]
        )
        == 0
    )
