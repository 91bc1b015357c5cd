"""Several processes appending to one log at once keep it contiguous and its tree right.

Real processes (spawned, each with its own Django and database connection)
against the test database, because the property under test is the row lock
between transactions, which threads sharing a test transaction cannot show.
PostgreSQL only: see support.requires_postgres.

The module imports nothing from Django's models at the top: the spawned
children import it before they have set Django up.
"""

from __future__ import annotations

import multiprocessing

import pytest

from .support import database_url_for_tests, naive_root, requires_postgres

# Starts processes (servers, a worker, clients): left out of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow

LOG_ID = "C0001"
WORKERS = 4
ROUNDS = 12


def _append_in_child(worker, barrier, results) -> None:
    # DATABASE_URL (the test database) and the signing key come in the
    # environment the parent set before spawning: importing this module
    # already reads the settings, before this function runs.
    import django

    django.setup()
    from django.db import connection, transaction

    from auditsvc.ledger.services import append_entries, log_for_update

    seqs = []
    try:
        barrier.wait(timeout=60)  # start together, so the appends really overlap
        for round_ in range(ROUNDS):
            items = [
                ("access.recorded", {"worker": worker, "round": round_, "i": i})
                for i in range(round_ % 4 + 1)
            ]
            with transaction.atomic():
                # Every child races to create the log on its first round, too.
                log = log_for_update(LOG_ID)
                seqs += [entry.seq for entry in append_entries(log, items)]
        results.put((worker, seqs, None))
    except Exception as exc:  # reported to the parent, which fails the test
        results.put((worker, seqs, repr(exc)))
    finally:
        connection.close()


@requires_postgres
def test_concurrent_appends_to_one_log_stay_contiguous_with_correct_roots(
    transactional_db, signing_key, monkeypatch
):
    from auditsvc.ledger.integrity import verify_log
    from auditsvc.ledger.keys import entry_signing_key
    from auditsvc.ledger.models import LedgerEntry, Log
    from auditsvc.ledger.selectors import log_root

    entry_signing_key()  # publish the session key, committed, before the children sign with it
    monkeypatch.setenv("DATABASE_URL", database_url_for_tests())
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "config.settings.test")
    monkeypatch.setenv("AUDITSVC_SIGNING_KEY", signing_key.private_string())
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKERS)
    results = context.Queue()
    children = [
        context.Process(target=_append_in_child, args=(worker, barrier, results))
        for worker in range(WORKERS)
    ]
    for child in children:
        child.start()
    reports = [results.get(timeout=180) for _ in children]
    for child in children:
        child.join(timeout=30)

    errors = [error for _, _, error in reports if error]
    assert not errors, errors
    per_call = sum(r % 4 + 1 for r in range(ROUNDS))
    total = WORKERS * per_call
    all_seqs = sorted(seq for _, seqs, _ in reports for seq in seqs)
    assert all_seqs == list(range(total))  # no seq given twice, none skipped
    entries = list(LedgerEntry.objects.filter(log_id=LOG_ID).order_by("seq"))
    assert [entry.seq for entry in entries] == list(range(total))
    assert Log.objects.get(pk=LOG_ID).size == total
    times = [entry.recorded_at for entry in entries]
    assert times == sorted(times)
    leaves = [bytes(entry.leaf_hash) for entry in entries]
    for size in range(total + 1):
        assert log_root(LOG_ID, size) == naive_root(leaves[:size]), size
    assert verify_log(LOG_ID).ok
