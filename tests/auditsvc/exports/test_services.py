"""Asking for, writing, downloading and expiring exports: each one on record in the bureau log."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import uuid

import pytest
from django.utils import timezone

from auditsvc.exports.bundles import BundleSnapshot, write_bundle
from auditsvc.exports.errors import ExportGone, ExportNotReady, InvalidRange, UnknownLog
from auditsvc.exports.models import Export, ExportStatus
from auditsvc.exports.retention import exports_remove_expired
from auditsvc.exports.services import (
    EXPORT_TIME_LIMIT,
    export_download,
    export_file_path,
    export_request,
    export_run,
)
from auditsvc.exports.tasks import write_export
from auditsvc.ledger.models import LedgerEntry
from partners.errors import NotPermitted

from .support import at, fill_log, open_bundle

pytestmark = pytest.mark.django_db

MINUTES = [0, 1, 2, 5, 5, 9, 10, 12, 20, 30, 31]


def bureau_entries(kind: str) -> list[dict]:
    import json

    rows = LedgerEntry.objects.filter(log_id="bureau", kind=kind).order_by("seq")
    return [json.loads(row.canonical)["body"] for row in rows]


def ask(actor, django_capture_on_commit_callbacks, **kwargs) -> Export:
    kwargs.setdefault("log", "P0042")
    kwargs.setdefault("from_", at(5))
    kwargs.setdefault("to", at(12))
    with django_capture_on_commit_callbacks(execute=True):
        export = export_request(actor=actor, via="api", **kwargs)
    export.refresh_from_db()  # the callbacks ran when the block closed
    return export


def test_a_small_export_is_written_at_once_and_its_request_is_on_record(
    auditor, signing_key, django_capture_on_commit_callbacks
):
    fill_log("P0042", MINUTES)

    export = ask(auditor, django_capture_on_commit_callbacks)

    assert export.status == ExportStatus.DONE and export.progress == 100
    assert (export.entry_count, export.tree_size) == (4, len(MINUTES))
    data = export_file_path(export).read_bytes()
    assert export.sha256 == hashlib.sha256(data).hexdigest() and export.size == len(data)
    assert export.expires_at == export.finished_at + dt.timedelta(days=7)
    assert open_bundle(data).manifest["requested_by"] == {
        "actor": "auditor",
        "actor_id": auditor.pk,
    }
    [body] = bureau_entries("export.requested")
    assert body == {
        "export": str(export.pk),
        "log": "P0042",
        "from": "2026-03-01T08:05:00.000000Z",
        "to": "2026-03-01T08:12:00.000000Z",
        "previous_size": None,
        "tree_size": len(MINUTES),
        "via": "api",
        "actor": "auditor",
        "actor_id": auditor.pk,
    }


def test_a_retried_export_writes_the_same_bundle(
    auditor, signing_key, django_capture_on_commit_callbacks
):
    fill_log("P0042", MINUTES)
    export = ask(auditor, django_capture_on_commit_callbacks)
    first = export_file_path(export).read_bytes()
    fill_log("P0042", [40])

    Export.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING)  # a redelivery
    export_file_path(export).unlink()
    again = export_run(export.pk)

    assert export_file_path(again).read_bytes() == first
    out = io.BytesIO()
    write_bundle(
        "P0042",
        at(5),
        at(12),
        requested_by=auditor,
        out=out,
        snapshot=BundleSnapshot(export.tree_size, export.created_at, export.key_id),
    )
    # A file and a memory buffer get the same bytes.
    assert out.getvalue() == first


def test_a_large_export_goes_to_a_worker_after_the_commit(
    auditor, signing_key, settings, django_capture_on_commit_callbacks
):
    settings.AUDITSVC_EXPORT_INLINE_MAX_ENTRIES = 3
    fill_log("P0042", MINUTES)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = export_request(actor=auditor, log="P0042", from_=at(5), to=at(12), via="api")

    assert export.status == ExportStatus.QUEUED and len(callbacks) == 1
    assert write_export(str(export.pk)) == ExportStatus.DONE
    assert write_export(str(export.pk)) == ExportStatus.DONE  # twice: nothing changes


def test_a_failed_export_says_why(auditor, signing_key, django_capture_on_commit_callbacks):
    fill_log("P0042", MINUTES)
    export = ask(auditor, django_capture_on_commit_callbacks)
    Export.objects.filter(pk=export.pk).update(status=ExportStatus.QUEUED, key_id="00000000")

    failed = export_run(export.pk)

    assert failed.status == ExportStatus.FAILED
    assert "key 00000000" in failed.error and "not loaded" in failed.error
    with pytest.raises(ExportNotReady, match="failed"):
        export_download(failed, actor=auditor, via="api")


def test_only_those_who_may_export_can_ask_or_download(
    staff, auditor, signing_key, django_capture_on_commit_callbacks
):
    fill_log("P0042", MINUTES)
    with pytest.raises(NotPermitted, match="export_ledger"):
        ask(staff, django_capture_on_commit_callbacks)
    export = ask(auditor, django_capture_on_commit_callbacks)

    with pytest.raises(NotPermitted):
        export_download(export, actor=staff, via="admin")
    assert bureau_entries("export.downloaded") == []


def test_a_download_is_on_record_before_the_file_is_handed_over(
    auditor, signing_key, django_capture_on_commit_callbacks
):
    fill_log("P0042", MINUTES)
    export = ask(auditor, django_capture_on_commit_callbacks)

    path, name = export_download(export, actor=auditor, via="admin")

    assert path == export_file_path(export)
    assert name == "auditsvc-P0042-20260301T080500Z-20260301T081200Z.zip"
    [body] = bureau_entries("export.downloaded")
    assert body["export"] == str(export.pk) and body["sha256"] == export.sha256
    assert (body["log"], body["from"], body["actor"], body["via"]) == (
        "P0042",
        "2026-03-01T08:05:00.000000Z",
        "auditor",
        "admin",
    )


def test_partial_files_that_no_writer_will_finish_are_removed(
    auditor, signing_key, django_capture_on_commit_callbacks
):
    # A worker killed mid-write leaves its .part behind; the hourly sweep takes it.
    fill_log("P0042", MINUTES)
    live, stalled, failed = (ask(auditor, django_capture_on_commit_callbacks) for _ in range(3))
    Export.objects.filter(pk__in=[live.pk, stalled.pk]).update(status=ExportStatus.RUNNING)
    Export.objects.filter(pk=failed.pk).update(status=ExportStatus.FAILED)
    now = timezone.now()
    folder = export_file_path(live).parent

    def part(name: str, *, age: dt.timedelta = dt.timedelta(0)):
        path = folder / f"{name}.part"
        path.write_bytes(b"PK half a bundle")
        when = (now - age).timestamp()
        os.utime(path, (when, when))
        return path

    being_written = part(str(live.pk), age=dt.timedelta(minutes=5))
    not_grown_for_hours = part(str(stalled.pk), age=EXPORT_TIME_LIMIT + dt.timedelta(minutes=1))
    given_up = part(str(failed.pk))
    no_such_export = part(str(uuid.uuid4()))
    not_ours = part("notes")

    assert exports_remove_expired(now=now) == 0  # none is past its retention time

    assert being_written.exists() and not_ours.exists()
    assert not not_grown_for_hours.exists()
    assert not given_up.exists() and not no_such_export.exists()
    assert export_file_path(failed).exists(), "a finished bundle is not a partial file"


def test_files_are_removed_after_their_retention_time(
    auditor, signing_key, django_capture_on_commit_callbacks
):
    fill_log("P0042", MINUTES)
    export = ask(auditor, django_capture_on_commit_callbacks)

    assert exports_remove_expired(now=export.expires_at - dt.timedelta(seconds=1)) == 0
    assert export_file_path(export).exists()
    assert exports_remove_expired(now=export.expires_at) == 1
    assert exports_remove_expired(now=export.expires_at) == 0

    assert not export_file_path(export).exists()
    export.refresh_from_db()
    with pytest.raises(ExportGone):
        export_download(export, actor=auditor, via="api")


def test_it_refuses_unknown_logs_and_bad_ranges_and_records_nothing(
    auditor, signing_key, django_capture_on_commit_callbacks, vetted_partner
):
    fill_log("P0042", MINUTES)

    with pytest.raises(UnknownLog, match="no log 'Q1'"):
        ask(auditor, django_capture_on_commit_callbacks, log="Q1")
    with pytest.raises(InvalidRange, match="earlier"):
        ask(auditor, django_capture_on_commit_callbacks, from_=at(12), to=at(5))
    with pytest.raises(InvalidRange, match="later than the request"):
        ask(auditor, django_capture_on_commit_callbacks, to=timezone.now() + dt.timedelta(hours=1))
    assert bureau_entries("export.requested") == []
    assert not Export.objects.exists()


def test_a_partner_with_nothing_recorded_exports_an_empty_log(
    auditor, signing_key, django_capture_on_commit_callbacks, vetted_partner
):
    export = ask(auditor, django_capture_on_commit_callbacks, log=vetted_partner.code.lower())

    assert export.status == ExportStatus.DONE
    bundle = open_bundle(export_file_path(export).read_bytes())
    assert bundle.manifest["partner"] == {
        "code": vetted_partner.code,
        "name": vetted_partner.legal_name,
    }
    assert bundle.manifest["log"] == vetted_partner.code
