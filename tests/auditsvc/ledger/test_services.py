"""The ledger's write path: contiguous seqs, recorded_at, signatures, stored subtrees."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from auditsvc.core import keys as core_keys
from auditsvc.core import merkle
from auditsvc.core.canonical import canonical_bytes, format_time
from auditsvc.ingestion.kinds import IngestionKind
from auditsvc.ledger import keys
from auditsvc.ledger.errors import LedgerError, NoSigningKey
from auditsvc.ledger.models import BUREAU_LOG_ID, LedgerEntry, Log, PublishedKey, TreeNode
from auditsvc.ledger.selectors import log_root
from auditsvc.ledger.services import (
    _ENTRY_ATTNAMES,
    append_entries,
    entry_receipt,
    entry_record,
    ledger_append,
    log_for_update,
)

from .support import naive_root

pytestmark = pytest.mark.django_db


def test_it_allocates_contiguous_seqs_across_calls(append):
    append("T0001", 3)
    append("T0001", 5)
    append("T0002", 2)

    seqs = list(LedgerEntry.objects.filter(log_id="T0001").values_list("seq", flat=True))
    assert seqs == list(range(8))
    assert Log.objects.get(pk="T0001").size == 8
    assert list(LedgerEntry.objects.filter(log_id="T0002").values_list("seq", flat=True)) == [0, 1]


def test_it_gives_one_call_one_recorded_at_that_never_goes_back(append):
    first = append("T0001", 3)
    assert len({entry.recorded_at for entry in first}) == 1
    # The clock steps back: the head says the last entry came later than now.
    ahead = timezone.now() + dt.timedelta(hours=1)
    Log.objects.filter(pk="T0001").update(last_recorded_at=ahead)

    later = append("T0001", 2)

    assert [entry.recorded_at for entry in later] == [ahead, ahead]
    assert json.loads(later[0].canonical)["recorded_at"] == format_time(ahead)
    times = list(LedgerEntry.objects.filter(log_id="T0001").values_list("recorded_at", flat=True))
    assert times == sorted(times)


def test_it_stores_the_canonical_entry_its_leaf_hash_and_a_valid_signature(append, signing_key):
    [entry] = append("T0001", 1, kind="session.opened")

    stored = LedgerEntry.objects.get(pk=entry.pk)
    obj = json.loads(stored.canonical)
    assert obj == {
        "v": 1,
        "log": "T0001",
        "seq": 0,
        "recorded_at": format_time(stored.recorded_at),
        "kind": "session.opened",
        "body": {"n": 0},
    }
    assert canonical_bytes(obj) == stored.canonical.encode()
    assert bytes(stored.leaf_hash) == merkle.leaf_hash(stored.canonical.encode())
    assert stored.key_id == signing_key.key_id
    published = PublishedKey.objects.get(pk=stored.key_id)
    verifier = core_keys.VerifierKey.from_string(published.verifier_key)
    assert core_keys.verify_entry(verifier, bytes(stored.leaf_hash), bytes(stored.signature))


def test_it_returns_saved_entries_that_match_the_rows(append, django_assert_num_queries):
    entries = append("T0001", 4)

    for entry in entries:
        stored = LedgerEntry.objects.get(pk=entry.pk)
        assert (stored.seq, stored.kind, stored.canonical, stored.key_id) == (
            entry.seq,
            entry.kind,
            entry.canonical,
            entry.key_id,
        )
        assert bytes(stored.leaf_hash) == bytes(entry.leaf_hash)
        assert bytes(stored.signature) == bytes(entry.signature)
        assert stored.recorded_at == entry.recorded_at
    with django_assert_num_queries(0):
        assert all(entry.log.log_id == "T0001" for entry in entries)


def test_its_positional_row_layout_follows_the_model():
    assert tuple(f.attname for f in LedgerEntry._meta.concrete_fields) == _ENTRY_ATTNAMES


@pytest.mark.parametrize("batch", [1, 3, 7, 64])
def test_its_stored_roots_equal_a_naive_rfc6962_recomputation(append, batch):
    entries = append("T0001", 70, batch=batch)
    leaves = [bytes(entry.leaf_hash) for entry in entries]

    for size in range(71):
        assert log_root("T0001", size) == naive_root(leaves[:size]), size
    # Exactly the complete aligned subtrees of level >= 1 are stored: n - popcount(n).
    assert TreeNode.objects.filter(log_id="T0001").count() == 70 - bin(70).count("1")


def test_it_stores_the_same_subtrees_whatever_the_batching(append):
    one_by_one = append("T0001", 21, batch=1)
    in_one_go = append("T0002", 21)

    def nodes(log_id):
        rows = TreeNode.objects.filter(log_id=log_id).values_list("level", "index", "hash")
        return {(level, index): bytes(value) for level, index, value in rows}

    # Leaves differ (each names its log), but the set of stored positions does not.
    assert set(nodes("T0001")) == set(nodes("T0002"))
    assert len(one_by_one) == len(in_one_go) == 21


def test_it_uses_the_same_number_of_queries_whatever_the_batch_size(db):
    def count(size: int) -> int:
        with transaction.atomic():
            log = log_for_update("T0001")
            with CaptureQueriesContext(transaction.get_connection()) as queries:
                append_entries(log, [("access.recorded", {"n": n}) for n in range(size)])
        return len(queries)

    count(3)  # the first call publishes nothing new, but warms the key cache
    assert count(10) == count(300)


def test_a_rolled_back_append_leaves_no_gap(append):
    append("T0001", 2)
    with pytest.raises(RuntimeError), transaction.atomic():
        log = log_for_update("T0001")
        append_entries(log, [("access.recorded", {"lost": True})])
        raise RuntimeError("the request failed after recording")

    append("T0001", 1)

    entries = LedgerEntry.objects.filter(log_id="T0001")
    assert list(entries.values_list("seq", flat=True)) == [0, 1, 2]
    assert not entries.filter(canonical__contains="lost").exists()


def test_it_refuses_a_head_that_was_not_locked_in_this_transaction(append):
    append("T0001", 1)
    with transaction.atomic():
        stale = log_for_update("T0001")
    append("T0001", 1)

    with pytest.raises((LedgerError, IntegrityError)), transaction.atomic():
        append_entries(stale, [("access.recorded", {"forked": True})])
    assert Log.objects.get(pk="T0001").size == 2


def test_it_refuses_a_body_outside_the_canonical_subset_and_records_nothing(db):
    with pytest.raises(LedgerError, match="floats are not allowed"), transaction.atomic():
        log = log_for_update("T0001")
        append_entries(log, [("access.recorded", {"ok": 1}), ("access.recorded", {"x": 1.5})])

    assert not LedgerEntry.objects.exists()
    assert not TreeNode.objects.exists()


def test_it_refuses_an_unknown_kind(db):
    with pytest.raises(LedgerError, match="Unknown ledger entry kind"), transaction.atomic():
        append_entries(log_for_update("T0001"), [("access.deleted", {})])


def test_it_takes_ledger_kind_members_as_plain_strings(db):
    entry = ledger_append("T0001", IngestionKind.SESSION_OPENED, {})

    assert json.loads(entry.canonical)["kind"] == "session.opened"


def test_log_for_update_refuses_to_run_outside_a_transaction(transactional_db):
    # transactional_db: no test transaction around it. It writes no ledger row,
    # so emptying the tables afterwards works on SQLite too.
    with pytest.raises(transaction.TransactionManagementError):
        log_for_update("T0001")
    assert not Log.objects.exists()


@pytest.mark.parametrize("bad", ["", "P-0001", "P 1", "x" * 33, "bureau/x"])
def test_log_for_update_refuses_log_ids_that_are_not_letters_and_digits(db, bad):
    with pytest.raises(LedgerError), transaction.atomic():
        log_for_update(bad)


def test_it_creates_a_log_on_first_use(db):
    assert not Log.objects.filter(pk="P0042").exists()
    with transaction.atomic():
        log = log_for_update("P0042")
        append_entries(log, [("access.recorded", {})])

    log = Log.objects.get(pk="P0042")
    assert log.size == 1
    assert log.last_recorded_at is not None


def test_ledger_append_records_a_bureau_decision(db):
    entry = ledger_append(BUREAU_LOG_ID, "partner.vetting", {"to": "approved"})

    assert (entry.log_id, entry.seq) == ("bureau", 0)
    assert json.loads(entry.canonical)["body"] == {"to": "approved"}


def test_a_receipt_names_the_entry_and_its_signature(append, signing_key):
    [entry] = append("T0001", 1)

    receipt = entry_receipt(entry)

    assert receipt == {
        "log": "T0001",
        "seq": 0,
        "leaf_hash": bytes(entry.leaf_hash).hex(),
        "signature": base64.b64encode(bytes(entry.signature)).decode(),
        "key_id": signing_key.key_id,
    }


def test_a_record_holds_the_entry_that_re_canonicalises_to_the_hashed_bytes(append):
    [entry] = append("T0001", 1)

    record = entry_record(LedgerEntry.objects.get(pk=entry.pk))

    assert set(record) == {"entry", "leaf_hash", "signature", "key_id"}
    assert merkle.leaf_hash(canonical_bytes(record["entry"])).hex() == record["leaf_hash"]


def test_it_refuses_to_record_without_a_private_key(settings, tmp_path, db):
    settings.AUDITSVC_KEY_DIR = tmp_path / "empty"
    settings.AUDITSVC_SIGNING_KEY = None
    keys.forget_loaded_keys()

    with pytest.raises(NoSigningKey), transaction.atomic():
        append_entries(log_for_update("T0001"), [("access.recorded", {})])
    assert not LedgerEntry.objects.exists()
