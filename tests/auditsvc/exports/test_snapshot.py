"""What a request fixes waits for an append in flight, so a range up to "now" misses nothing."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from auditsvc.exports.bundles import bundle_snapshot
from auditsvc.exports.kinds import ExportKind
from auditsvc.ledger.services import append_entries, log_for_update
from tests.auditsvc.ledger.support import requires_postgres

from .support import fill_log

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def in_thread(work, result: dict, name: str) -> threading.Thread:
    def run() -> None:
        try:
            result[name] = work()
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_snapshot_waits_for_an_append_in_flight_and_counts_it(signing_key):
    fill_log("P0042", [0])
    appended, release = threading.Event(), threading.Event()
    result: dict = {}

    def append() -> int:
        with transaction.atomic():
            log = log_for_update("P0042")
            append_entries(log, [(ExportKind.EXPORT_REQUESTED, {"n": 1})])
            appended.set()  # recorded_at is fixed now, but nothing is committed yet
            release.wait(10)
        return log.size

    writer = in_thread(append, result, "size")
    assert appended.wait(10)
    snapshot = in_thread(lambda: bundle_snapshot("P0042"), result, "snapshot")

    snapshot.join(1.0)
    assert snapshot.is_alive(), "the snapshot must wait for the append holding the log's head"
    release.set()
    writer.join(10)
    snapshot.join(10)

    assert result["size"] == 2
    assert result["snapshot"].tree_size == 2
