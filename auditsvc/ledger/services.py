"""The write path of the signed ledger: lock a log's head, append signed entries.

Every fact the service learns goes through ``append_entries`` in the same
transaction as the domain rows that point at its entries, so a fact is never
recorded without its signed entry nor an entry left without its fact.

Contiguity: ``seq`` is allocated from the log head's ``size`` while the head
row is locked (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE
transaction already holds the database's write lock), and the head is moved
in the same transaction as the inserts. Concurrent appends to one log queue
on that lock, and a rolled-back append leaves no gap because its seqs were
never committed.

This is the ingestion hot path: everything per entry is plain Python over
bytes, and the database sees a fixed handful of statements per call whatever
the batch size (one read of the tree's right edge, one multi-row INSERT for
the entries, one for the subtree hashes, one UPDATE of the head).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import orjson
from django.db import connection, transaction
from django.utils import timezone

from auditsvc.base.db import pg_execute
from auditsvc.core import merkle
from auditsvc.core.canonical import CanonicalError, b64encode, entry_bytes, format_time
from auditsvc.core.keys import sign_entry

from .errors import LedgerError
from .keys import entry_signing_key
from .kinds import registered_kinds
from .models import BUREAU_LOG_ID, LedgerEntry, Log, TreeNode
from .selectors import DatabaseHashReader

__all__ = [
    "BUREAU_LOG_ID",
    "append_entries",
    "entry_receipt",
    "entry_record",
    "ledger_append",
    "log_for_update",
]

# Log ids sit in URLs as they are (DESIGN.md): plain letters and digits.
LOG_ID_RE = re.compile(r"[A-Za-z0-9]{1,32}")

# Columns written by the multi-row INSERTs, in order.
_ENTRY_COLUMNS = (
    "log_id",
    "seq",
    "recorded_at",
    "kind",
    "canonical",
    "leaf_hash",
    "signature",
    "key_id",
)
_NODE_COLUMNS = ("log_id", "level", "index", "hash")
# LedgerEntry's concrete fields in model order: the positional form from_db() takes.
_ENTRY_ATTNAMES = ("id", *_ENTRY_COLUMNS)
# Below every backend's bound-parameter limit (SQLite: 32766; PostgreSQL: 65535).
_MAX_PARAMS = 30000


def log_for_update(log_id: str) -> Log:
    """Return the head of log ``log_id``, locked until the end of the transaction.

    Creates the log if it does not exist yet; two transactions creating the
    same log at once both end up holding (in turn) the lock on the one row.
    Must be called inside ``transaction.atomic()``: the lock is what keeps
    the log's seqs contiguous.
    """
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError(
            "log_for_update() must be called inside transaction.atomic(): the row lock "
            "lasts until the transaction ends."
        )
    if not isinstance(log_id, str) or not LOG_ID_RE.fullmatch(log_id):
        raise LedgerError(f"Log ids are 1 to 32 letters and digits, not {log_id!r}.")
    log = Log.objects.select_for_update().filter(pk=log_id).first()
    if log is None:
        # INSERT ... ON CONFLICT DO NOTHING: a concurrent creator's row wins
        # without an IntegrityError (which would abort a PostgreSQL transaction).
        Log.objects.bulk_create([Log(log_id=log_id, size=0)], ignore_conflicts=True)
        log = Log.objects.select_for_update().get(pk=log_id)
    return log


def _insert_entries(log_id: str, recorded_at, key_id: str, rows: list[tuple]) -> dict[int, int]:
    """Insert entry rows ``(seq, kind, canonical, leaf_hash, signature)``; return {seq: id}."""
    table = LedgerEntry._meta.db_table
    if connection.vendor == "postgresql":
        # One array per column: the statement is the same whatever the batch size.
        sql = (
            f"INSERT INTO {table} "  # noqa: S608 (the model's own table name)
            "(log_id, seq, recorded_at, kind, canonical, leaf_hash, signature, key_id) "
            "SELECT %s, u.seq, %s, u.kind, u.canonical, u.leaf_hash, u.signature, %s "
            "FROM unnest(%b::bigint[], %b::text[], %b::text[], %b::bytea[], %b::bytea[]) "
            "AS u(seq, kind, canonical, leaf_hash, signature) RETURNING seq, id"
        )
        columns = [list(column) for column in zip(*rows, strict=True)]
        return dict(pg_execute(sql, [log_id, recorded_at, key_id, *columns]))
    return dict(
        _insert_values(
            table,
            _ENTRY_COLUMNS,
            [(log_id, seq, recorded_at, *rest, key_id) for seq, *rest in rows],
            returning=("seq", "id"),
        )
    )


def _insert_nodes(log_id: str, nodes: list[tuple[int, int, bytes]]) -> None:
    """Insert stored subtree hashes ``(level, index, hash)`` of levels >= 1."""
    table = TreeNode._meta.db_table
    if connection.vendor == "postgresql":
        sql = (
            f'INSERT INTO {table} (log_id, level, "index", hash) '  # noqa: S608 (model table)
            "SELECT %s, u.level, u.idx, u.hash "
            "FROM unnest(%b::smallint[], %b::bigint[], %b::bytea[]) AS u(level, idx, hash)"
        )
        pg_execute(sql, [log_id, *(list(column) for column in zip(*nodes, strict=True))])
        return
    _insert_values(table, _NODE_COLUMNS, [(log_id, *node) for node in nodes])


def _insert_values(
    table: str, columns: Sequence[str], rows: list[tuple], returning: Sequence[str] = ()
) -> list[tuple]:
    """Multi-row INSERT ... VALUES (other databases); returns the ``returning`` columns.

    The returned rows come in no guaranteed order (SQLite does not promise
    one), so callers return a key column with them.
    """
    quote = connection.ops.quote_name
    column_sql = ", ".join(quote(column) for column in columns)
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, _MAX_PARAMS // len(columns))
    suffix = f" RETURNING {', '.join(quote(column) for column in returning)}" if returning else ""
    returned: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            # Names from the models, values as parameters only.
            values_sql = ", ".join([placeholder] * len(chunk))
            sql = f"INSERT INTO {quote(table)} ({column_sql}) VALUES {values_sql}{suffix}"  # noqa: S608
            cursor.execute(sql, [value for row in chunk for value in row])
            if returning:
                returned.extend(cursor.fetchall())
    return returned


def append_entries(log: Log, items: Sequence[tuple[str, dict[str, Any]]]) -> list[LedgerEntry]:
    """Append signed entries ``(kind, body)`` to ``log`` and return them, saved, in seq order.

    ``log`` must come from ``log_for_update`` in the current transaction. All
    entries of one call share one ``recorded_at`` = max(now, the log's last
    one), so it never decreases within a log even if the clock steps back.
    Each entry is the canonical (RFC 8785) object ``{"v": 1, "log", "seq",
    "recorded_at", "kind", "body"}``, its leaf hash is SHA-256(0x00 ||
    bytes) and its signature Ed25519 over ``ENTRY_CONTEXT + leaf_hash`` by
    ``entry_signing_key()``. The hashes of the perfect subtrees the new
    leaves complete are stored with them, and the head is moved.

    Raises ``LedgerError`` for a body outside the canonical JSON subset or a
    kind no installed app registered (``kinds``), and ``NoSigningKey`` when
    no key can sign; nothing is written then.
    """
    if not items:
        return []
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError(
            "append_entries() must run in the transaction that locked the log."
        )
    key = entry_signing_key()
    key_id = key.key_id
    kinds = registered_kinds()
    leaf_hash = merkle.leaf_hash
    now = timezone.now()
    last = log.last_recorded_at
    recorded_at = now if last is None or now > last else last
    recorded_text = format_time(recorded_at)
    log_id = log.log_id
    start = log.size

    rows: list[tuple] = []
    leaves: list[bytes] = []
    for offset, (kind, body) in enumerate(items):
        if kind not in kinds:
            raise LedgerError(f"Unknown ledger entry kind {kind!r}: no installed app registers it.")
        if type(kind) is not str:
            kind = str(kind)  # a StrEnum member: the encoder takes plain str only
        seq = start + offset
        try:
            data = entry_bytes(log_id, seq, recorded_text, kind, body)
        except CanonicalError as exc:
            raise LedgerError(f"Entry {kind} cannot be recorded: {exc}") from None
        leaf = leaf_hash(data)
        leaves.append(leaf)
        rows.append((seq, kind, data.decode("utf-8"), leaf, sign_entry(key, leaf)))

    nodes = merkle.stored_hashes_for_append(start, leaves, DatabaseHashReader(log_id))
    node_rows = [(level, index, value) for (level, index), value in nodes if level]

    # The database form of recorded_at, once for the batch (a str on SQLite).
    ids = _insert_entries(
        log_id, connection.ops.adapt_datetimefield_value(recorded_at), key_id, rows
    )
    if node_rows:
        _insert_nodes(log_id, node_rows)

    new_size = start + len(rows)
    # Conditional on the size read under the lock: a caller passing a Log it
    # did not lock in this transaction fails loudly instead of forking the log.
    moved = Log.objects.filter(pk=log_id, size=start).update(
        size=new_size, last_recorded_at=recorded_at
    )
    if moved != 1:
        raise LedgerError(f"The head of log {log_id} moved: lock it with log_for_update().")
    log.size = new_size
    log.last_recorded_at = recorded_at

    # Model instances built the way the ORM builds rows it read (positional,
    # no per-field defaults), with the log cached so entry.log costs no query.
    db = connection.alias
    from_db = LedgerEntry.from_db
    entries = []
    for seq, kind, canonical, leaf, signature in rows:
        entry = from_db(
            db,
            _ENTRY_ATTNAMES,
            (ids[seq], log_id, seq, recorded_at, kind, canonical, leaf, signature, key_id),
        )
        entry._state.fields_cache["log"] = log
        entries.append(entry)
    return entries


def ledger_append(log_id: str, kind: str, body: dict[str, Any]) -> LedgerEntry:
    """Append one entry to log ``log_id`` (created if missing) in its own atomic block.

    For the bureau's decisions: call it inside the transaction that makes the
    decision, so the decision and its entry commit or roll back together.
    """
    with transaction.atomic():
        log = log_for_update(log_id)
        return append_entries(log, [(kind, body)])[0]


def entry_receipt(entry: LedgerEntry) -> dict[str, Any]:
    """The receipt the API returns for a record.

    ``{"log", "seq", "leaf_hash", "signature", "key_id"}`` with ``leaf_hash``
    in hex and ``signature`` in base64 (DESIGN.md).
    """
    return {
        "log": entry.log_id,
        "seq": entry.seq,
        "leaf_hash": bytes(entry.leaf_hash).hex(),
        "signature": b64encode(entry.signature),
        "key_id": entry.key_id,
    }


def entry_record(entry: LedgerEntry) -> dict[str, Any]:
    """An entry with its proof of origin, the line format of export bundles.

    ``{"entry": <the canonical object>, "leaf_hash": hex, "signature": base64, "key_id"}``;
    re-canonicalising ``entry`` gives back the exact bytes that were hashed.
    """
    return {
        "entry": orjson.loads(entry.canonical),
        "leaf_hash": bytes(entry.leaf_hash).hex(),
        "signature": b64encode(entry.signature),
        "key_id": entry.key_id,
    }
