"""The database itself refuses UPDATE and DELETE on the ledger tables (PostgreSQL and SQLite)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from auditsvc.ledger.checkpoints import checkpoint_sign
from auditsvc.ledger.models import LedgerEntry, Log, SignedCheckpoint, TreeNode

pytestmark = pytest.mark.django_db

STATEMENTS = {
    "ledger_ledgerentry": [
        "UPDATE ledger_ledgerentry SET kind = 'session.closed'",
        "UPDATE ledger_ledgerentry SET signature = leaf_hash WHERE seq = 1",
        "DELETE FROM ledger_ledgerentry WHERE seq = 3",
        "DELETE FROM ledger_ledgerentry",
    ],
    "ledger_treenode": [
        "UPDATE ledger_treenode SET hash = hash",
        "DELETE FROM ledger_treenode",
    ],
    "ledger_signedcheckpoint": [
        "UPDATE ledger_signedcheckpoint SET size = 0",
        "DELETE FROM ledger_signedcheckpoint",
    ],
}


@pytest.fixture
def ledger(append):
    append("T0001", 4)
    checkpoint_sign("T0001")


def _refused(sql: str) -> str:
    # A savepoint, so the test's transaction survives the error on PostgreSQL.
    with pytest.raises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql)
    return str(raised.value)


@pytest.mark.parametrize("sql", [sql for statements in STATEMENTS.values() for sql in statements])
def test_it_refuses_raw_updates_and_deletes_of_the_ledger(ledger, sql):
    message = _refused(sql)

    assert "append only" in message
    assert LedgerEntry.objects.count() == 4
    assert TreeNode.objects.count() == 3
    assert SignedCheckpoint.objects.count() == 1


def test_it_refuses_changes_through_the_orm_too(ledger):
    entry = LedgerEntry.objects.get(seq=0)
    entry.kind = "session.closed"
    with pytest.raises(DatabaseError, match="append only"), transaction.atomic():
        entry.save()
    with pytest.raises(DatabaseError, match="append only"), transaction.atomic():
        SignedCheckpoint.objects.all().delete()

    assert LedgerEntry.objects.get(seq=0).kind == "access.recorded"


def test_it_still_lets_the_log_head_move_and_entries_be_appended(ledger, append):
    append("T0001", 2)

    assert Log.objects.get(pk="T0001").size == 6
    assert LedgerEntry.objects.count() == 6


def test_every_ledger_table_has_its_triggers_after_all_migrations(db):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT event_object_table, event_manipulation FROM information_schema.triggers "
                "WHERE trigger_name LIKE 'ledger_%_append_only'"
            )
        else:
            cursor.execute(
                "SELECT tbl_name, upper(substr(name, instr(name, '_no_') + 4)) "
                "FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ledger_%'"
            )
        found = set(cursor.fetchall())

    expected = {(table, op) for table in STATEMENTS for op in ("UPDATE", "DELETE")}
    assert expected <= found
