"""Database helpers shared by the ledger and ingestion write paths."""

from __future__ import annotations

from django.db import connection


def pg_execute(sql: str, params: list) -> list[tuple]:
    """Run one statement on PostgreSQL with server-side binding and binary parameters.

    Django's psycopg cursors bind client-side: they quote each of a batch's
    thousands of array elements into the SQL text in Python (about 15 ms for
    the entries of a 500-record batch, over 100 µs a row for the event
    INSERT); binary arrays go as they are. Same connection and transaction as
    the ORM; errors become Django's. Not prepared, so it also works behind a
    transaction-pooling PgBouncer.
    """
    import psycopg

    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=False)
        return cursor.fetchall() if cursor.description else []
