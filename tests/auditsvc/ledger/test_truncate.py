"""PostgreSQL refuses TRUNCATE of the ledger tables (and so manage.py flush) unless opted in.

TRUNCATE is transactional on PostgreSQL: each attempt runs in a savepoint
of the test's transaction, so even one that got through is rolled back.
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from auditsvc.ledger.checkpoints import checkpoint_sign
from auditsvc.ledger.models import LedgerEntry, SignedCheckpoint, TreeNode
from tests import needs

pytestmark = [
    pytest.mark.django_db,
    needs.postgres("SQLite has no TRUNCATE"),
]

TABLES = ("ledger_ledgerentry", "ledger_treenode", "ledger_signedcheckpoint")


class RolledBack(Exception):
    """Raised to roll a savepoint back after looking inside it."""


@pytest.fixture
def ledger(append):
    append("T0001", 4)
    checkpoint_sign("T0001")
    # Run the deferred foreign key checks of these inserts now: PostgreSQL
    # refuses any TRUNCATE of a table with pending trigger events.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def truncate_allowed(value: str) -> None:
    # SET LOCAL: ends with the test's transaction. The connection may carry
    # 'on' at session level from an earlier transactional test.
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('auditsvc.allow_truncate', %s, true)", [value])


def assert_ledger_intact() -> None:
    assert LedgerEntry.objects.count() == 4
    assert TreeNode.objects.count() == 3
    assert SignedCheckpoint.objects.count() == 1


@pytest.mark.parametrize(
    "sql",
    # CASCADE: other tables refer to the ledger, and without it PostgreSQL
    # would refuse for that reason before any trigger could.
    [f"TRUNCATE {table} CASCADE" for table in TABLES]
    + [f"TRUNCATE {', '.join(TABLES)} CASCADE", "TRUNCATE ledger_log CASCADE"],
)
def test_it_refuses_to_truncate_the_ledger(ledger, sql):
    truncate_allowed("off")

    with (
        pytest.raises(DatabaseError, match=r"TRUNCATE on .* refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert_ledger_intact()


def test_manage_py_flush_leaves_the_ledger_alone(ledger):
    truncate_allowed("off")

    with pytest.raises(CommandError) as raised:
        call_command("flush", interactive=False, verbosity=0)

    assert "TRUNCATE on" in str(raised.value.__cause__)

    assert_ledger_intact()


def test_a_session_that_opts_in_may_truncate(ledger):
    truncate_allowed("on")

    with pytest.raises(RolledBack), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
        assert LedgerEntry.objects.count() == 0  # (checked after the cursor is closed)
        raise RolledBack

    assert_ledger_intact()


def test_every_ledger_table_has_its_truncate_trigger(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger "
            "WHERE tgname LIKE 'ledger_%%_no_truncate' AND tgenabled <> 'D'"
        )
        found = {row[0] for row in cursor.fetchall()}

    assert found == set(TABLES)
