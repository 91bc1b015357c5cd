"""Storage of the ingestion services: the idempotency look-up and the bulk inserts.

Both run once per batch. The look-up also reads what each record already
stored holds (its *content*: pseudonyms, fields, times, session, agent,
purpose...), so that a resend can be told from a reuse of the id for
something else (DESIGN.md "API conventions"). On PostgreSQL they bind their parameters server-side
as binary arrays (see ``pg_execute``); on the embedded SQLite they use the
ORM, which is fast enough there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import orjson
from django.db import connection

from auditsvc.base.db import pg_execute
from auditsvc.ledger.models import LedgerEntry
from auditsvc.ledger.services import entry_receipt
from partners.models import Partner

from ._common import split_violations


@dataclass(slots=True)
class Recorded:
    """A record found by the idempotency check: its receipt, violations and content."""

    receipt: dict
    violations: list[str]
    content: tuple = ()


@dataclass(slots=True)
class _EntryRef:
    """What ``entry_receipt`` reads of a ledger entry, from a joined row."""

    log_id: str
    seq: int
    leaf_hash: bytes
    signature: bytes
    key_id: str


def existing_records(
    model,
    partner: Partner,
    client_ids: Sequence[str],
    *,
    test: bool,
    content: Sequence[str] = (),
) -> dict[str, Recorded]:
    """{client_event_id: receipt, violations, content} of the batch's ids already recorded.

    One query. ``content`` names the columns whose values are returned, in
    that order, as ``Recorded.content``. Live and test records are separate
    namespaces: a test key's ids never collide with the live ones.
    """
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        columns = "".join(f", r.{quote(model._meta.get_field(name).column)}" for name in content)
        rows = pg_execute(
            f"SELECT r.client_event_id, r.violations{columns}, e.log_id, e.seq, "  # noqa: S608
            f"e.leaf_hash, e.signature, e.key_id FROM {model._meta.db_table} r "
            f"JOIN {LedgerEntry._meta.db_table} e ON e.id = r.ledger_entry_id "
            "WHERE r.partner_id = %s AND r.test = %s AND r.client_event_id = ANY(%b::text[])",
            [partner.pk, test, list(client_ids)],
        )
        width = len(content)
        # Django's psycopg set-up reads jsonb as text (JSONField decodes it): decode here.
        loads = [
            orjson.loads if model._meta.get_field(name).get_internal_type() == "JSONField" else None
            for name in content
        ]
        return {
            row[0]: Recorded(
                entry_receipt(_EntryRef(*row[2 + width :])),
                split_violations(row[1]),
                tuple(
                    load(value) if load is not None and isinstance(value, str) else value
                    for load, value in zip(loads, row[2 : 2 + width], strict=True)
                ),
            )
            for row in rows
        }
    records = (
        model.objects.filter(partner_id=partner.pk, test=test, client_event_id__in=client_ids)
        .select_related("ledger_entry")
        .defer("ledger_entry__canonical")
    )
    return {
        record.client_event_id: Recorded(
            entry_receipt(record.ledger_entry),
            record.violation_list,
            tuple(getattr(record, name) for name in content),
        )
        for record in records
    }


def insert_records(
    model, names: Sequence[str], rows: list[tuple], entries: list[LedgerEntry]
) -> None:
    """Insert domain rows (values of the fields ``names``), each pointing at its ledger entry.

    On PostgreSQL one INSERT ... SELECT FROM unnest() of one binary array per
    column, whatever the batch size (see ``pg_execute``); elsewhere (the
    embedded SQLite) ``bulk_create``.
    """
    names = (*names, "ledger_entry_id", "ledger_seq", "recorded_at")
    rows = [
        (*row, entry.pk, entry.seq, entry.recorded_at)
        for row, entry in zip(rows, entries, strict=True)
    ]
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(names, row, strict=True))) for row in rows])
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    columns = [list(values) for values in zip(*rows, strict=True)]
    for position, field in enumerate(fields):
        if field.get_internal_type() == "JSONField":
            columns[position] = [orjson.dumps(value).decode() for value in columns[position]]
    quote = connection.ops.quote_name
    column_sql = ", ".join(quote(field.column) for field in fields)
    arrays = ", ".join(f"%b::{_array_type(field)}" for field in fields)
    aliases = ", ".join(f"c{position}" for position in range(len(fields)))
    pg_execute(
        f"INSERT INTO {quote(meta.db_table)} ({column_sql}) "  # noqa: S608 - names from _meta
        f"SELECT {aliases} FROM unnest({arrays}) AS u({aliases})",
        columns,
    )


def _array_type(field) -> str:
    """The PostgreSQL array type of a column's values, as the INSERT casts them."""
    db_type = field.db_type(connection)
    if db_type.startswith("varchar"):
        return "text[]"
    return f"{db_type}[]"
