"""Search every textual and binary column of the test database for given values.

For the promises that a raw identity, phone number, code or key is never
stored: a test does what the service does, then scans for the raw value.
"""

from __future__ import annotations

import pytest
from django.db import connection

TEXT_TYPES = ("char", "text", "json", "clob", "uuid")
BINARY_TYPES = ("bytea", "blob", "binary")


def columns_to_scan() -> list[tuple[str, str]]:
    """(table, column) of every textual or binary column of every table of the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = current_schema()"
            )
            rows = cursor.fetchall()
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            rows = []
            for (table,) in cursor.fetchall():
                cursor.execute(f'PRAGMA table_info("{table}")')
                rows += [(table, column[1], column[2] or "blob") for column in cursor.fetchall()]
        else:
            pytest.skip(f"no schema scan written for {connection.vendor}")
    found = [
        (table, column)
        for table, column, data_type in rows
        if any(kind in data_type.lower() for kind in TEXT_TYPES + BINARY_TYPES)
    ]
    assert len(found) > 20, found  # sanity: the scan really sees the schema
    return found


def scan_database(values: set[str]) -> list[str]:
    """Where any of ``values`` occurs in the database, as 'table.column'."""
    encoded = {value.encode() for value in values}
    hits = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, column in columns_to_scan():
            cursor.execute(f"SELECT {quote(column)} FROM {quote(table)}")  # noqa: S608
            for (cell,) in cursor.fetchall():
                if cell is None:
                    continue
                if isinstance(cell, memoryview | bytes | bytearray):
                    data = bytes(cell)
                    if any(value in data for value in encoded):
                        hits.append(f"{table}.{column}")
                else:
                    text = str(cell)
                    if any(value in text or value in text.upper() for value in values):
                        hits.append(f"{table}.{column}")
    return hits
