"""manage.py auditsvc_export writes the bundle to a file, on record, and says what it wrote."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from auditsvc.ledger.models import LedgerEntry

from .support import fill_log, open_bundle

pytestmark = pytest.mark.django_db


def test_it_writes_the_bundle_and_records_the_request(signing_key, tmp_path):
    fill_log("P0042", [0, 1, 2, 5, 9, 12])
    target = tmp_path / "bundle.zip"
    out = io.StringIO()

    call_command(
        "auditsvc_export",
        "--log", "P0042",
        "--from", "2026-03-01T16:01:00+08:00",
        "--to", "2026-03-01T08:10:00Z",
        "--previous-size", "2",
        "-o", str(target),
        stdout=out,
    )  # fmt: skip

    bundle = open_bundle(target.read_bytes())
    assert [r["entry"]["seq"] for r in bundle.lines("entries.jsonl")] == [1, 2, 3, 4]
    assert bundle.json("consistency.json")["from"] == 2
    assert "Wrote" in out.getvalue() and "4 entries of log P0042" in out.getvalue()
    entry = LedgerEntry.objects.get(log_id="bureau", kind="export.requested")
    body = json.loads(entry.canonical)["body"]
    assert (body["log"], body["via"], body["actor"], body["export"]) == (
        "P0042",
        "command",
        None,
        None,
    )
    assert not (tmp_path / "bundle.zip.part").exists()


def test_it_refuses_a_bad_request_and_leaves_no_file(signing_key, tmp_path):
    fill_log("P0042", [0])
    target = tmp_path / "bundle.zip"

    with pytest.raises(CommandError, match=r"no log 'P9999'.*\[unknown_log\]"):
        call_command(
            "auditsvc_export", "--log", "P9999", "--from", "2026-03-01T00:00:00Z",
            "--to", "2026-03-02T00:00:00Z", "-o", str(target),
        )  # fmt: skip
    with pytest.raises(CommandError, match="RFC 3339"):
        call_command(
            "auditsvc_export", "--log", "P0042", "--from", "yesterday",
            "--to", "2026-03-02T00:00:00Z", "-o", str(target),
        )  # fmt: skip
    assert list(tmp_path.iterdir()) == []
