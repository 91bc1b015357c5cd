"""Helpers of the ledger's database tests: a naive RFC 6962 reference, backend checks."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.db import connection

from auditsvc.core.merkle import node_hash
from tests import needs

requires_postgres = needs.postgres(
    "transactional tests empty tables between tests, which SQLite does with DELETE, "
    "and the ledger's triggers refuse DELETE (PostgreSQL uses TRUNCATE)"
)


def naive_root(leaves: Sequence[bytes]) -> bytes:
    """MTH of RFC 6962 section 2.1, straight from the definition (leaf hashes in)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    split = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(naive_root(leaves[:split]), naive_root(leaves[split:]))


def database_url_for_tests() -> str:
    """A DATABASE_URL naming the test database this process uses (for child processes)."""
    conf = connection.settings_dict
    auth = conf["USER"] or ""
    if conf["PASSWORD"]:
        auth += f":{conf['PASSWORD']}"
    host = conf["HOST"] or "127.0.0.1"
    port = f":{conf['PORT']}" if conf["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{conf['NAME']}"


def drop_append_only_triggers(table: str) -> None:
    """Drop the triggers of ``table`` inside the current (test) transaction.

    The test's transaction is rolled back at its end, and DDL is
    transactional on both PostgreSQL and SQLite, so the triggers come back.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        else:
            cursor.execute(f"DROP TRIGGER {table}_no_update")
            cursor.execute(f"DROP TRIGGER {table}_no_delete")
