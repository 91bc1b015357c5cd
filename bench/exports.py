"""Export benchmark: a bundle of one million signed entries, its speed and its peak memory.

Run with ``make bench`` (or ``.venv/bin/python bench/exports.py --help``).
One run does, against PostgreSQL:

1. drops and recreates the bench database (only a database whose name holds
   "bench"; anything else is swapped for ``bench_exports`` on the same
   server), migrates it, generates an entry-signing key (kept in
   ``bench/results/exports-keys/``) and publishes it;
2. builds log ``P0001`` of N entries (default 1,000,000) the way the ledger
   stores them, fast but properly: representative ``access.recorded``
   bodies spread over 30 days, canonical bytes, leaf hashes and Ed25519
   signatures made on every core, the stored subtree hashes of the tree,
   all written with COPY; then moves the log head and signs a checkpoint
   through the ledger's own service;
3. exports the whole log in a child process (``write_bundle``, the code the
   worker and the command run) and times it; the child's peak resident
   memory (``ru_maxrss``) is read after the export and compared with its
   memory just before it began (Django loaded, nothing exported);
4. checks the bundle holds N entry lines, prints a table and the bundle's
   path, and writes ``bench/results/exports-<date>.json`` (with the verifier
   key to trust, for bench/verify.py).

Targets (issue 10): at least 20,000 entries/s, peak memory under 200 MB.
See docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import multiprocessing as mp
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
KEY_DIR = RESULTS_DIR / "exports-keys"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_exports"
DEFAULT_BUNDLE = RESULTS_DIR / "exports-bundle.zip"
LOG_ID = "P0001"
SPAN = dt.timedelta(days=30)
CHUNK = 20_000
TARGET_ENTRIES_PER_SECOND = 20_000
TARGET_PEAK_MB = 200
PROTECTED_DATABASES = {"test", "postgres", "template0", "template1"}

sys.path.insert(0, str(ROOT))


# --- Set-up (no Django) ---------------------------------------------------------


def bench_database_url(url: str) -> str:
    """``url`` if its database name says "bench", else ``bench_exports`` on the same server."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"The export benchmark needs PostgreSQL, not {parts.scheme!r}.")
    name = parts.path.lstrip("/")
    if "bench" in name and name not in PROTECTED_DATABASES:
        return url
    return urllib.parse.urlunsplit(parts._replace(path="/bench_exports"))


def recreate_database(url: str) -> str:
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    assert "bench" in name and name not in PROTECTED_DATABASES, name
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return conn.execute("SHOW server_version").fetchone()[0]


def server_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def log_size(url: str) -> int | None:
    """The size of the bench log in ``url``, or None (no database, no tables, no log)."""
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT size FROM ledger_log WHERE log_id = %s", [LOG_ID]).fetchone()
    except psycopg.Error:
        return None
    return row[0] if row else None


def environment(database_url: str, tmp: Path) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "AUDITSVC_PEPPER": secrets.token_urlsafe(32),
        "AUDITSVC_KEY_DIR": str(KEY_DIR),
        "AUDITSVC_VAR_DIR": str(tmp / "var"),
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "AUDITSVC_SIGNING_KEY"):
        os.environ.pop(name, None)
    os.environ.update(env)
    return env


def machine_info(pg_version: str) -> dict[str, Any]:
    model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(total_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgresql": pg_version,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


# --- Building the log -------------------------------------------------------------


def _body(seq: int) -> dict[str, Any]:
    # The shape of an access.recorded body (bench/ingestion.py access_body), varied per seq.
    return {
        "client_event_id": f"bench-{seq:08d}",
        "partner": LOG_ID,
        "session": None,
        "agent": f"A-{seq % 10:04d}",
        # Keyed hashes in the service: as random as SHA-256 (and as hard to compress).
        "identity_ref": hashlib.sha256(b"identity %d" % (seq // 3)).hexdigest(),
        "id_region_code": "411381",
        "birth_year": 1940 + seq % 60,
        "fields": ["name", "id_number", "phone"],
        "purpose": "card_activation",
        "occurred_at": "2026-01-01T00:00:00.000000Z",
        "device_ref": hashlib.sha256(b"device %d" % (seq // 50)).hexdigest(),
        "credential": 1,
        "violations": ["no_open_session"],
    }


def _sign_chunk(task: tuple[str, int, int, int, int]) -> list[tuple]:
    """Rows ``(seq, recorded_at text, canonical, leaf_hash, signature)`` for seqs [lo, hi)."""
    from auditsvc.core import merkle
    from auditsvc.core.canonical import entry_bytes, format_time
    from auditsvc.core.keys import SigningKey, sign_entry

    private, lo, hi, start_us, step_us = task
    key = SigningKey.from_private_string(private)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    rows = []
    for seq in range(lo, hi):
        recorded = format_time(epoch + dt.timedelta(microseconds=start_us + seq * step_us))
        data = entry_bytes(LOG_ID, seq, recorded, "access.recorded", _body(seq))
        leaf = merkle.leaf_hash(data)
        rows.append((seq, recorded, data.decode("utf-8"), leaf, sign_entry(key, leaf)))
    return rows


def build_log(count: int, start: dt.datetime, key) -> float:
    """Write ``count`` signed entries of LOG_ID and their subtree hashes with COPY; seconds."""
    from django.db import connection, transaction

    from auditsvc.core import merkle
    from auditsvc.core.merkle.tree import decompose
    from auditsvc.ledger.models import LedgerEntry, Log, TreeNode
    from auditsvc.ledger.services import log_for_update

    began = time.perf_counter()
    with transaction.atomic():
        log_for_update(LOG_ID)
    step_us = max(1, int(SPAN.total_seconds() * 1_000_000) // max(count, 1))
    start_us = int((start - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)).total_seconds() * 1_000_000)
    tasks = [
        (key.private_string(), lo, min(lo + CHUNK, count), start_us, step_us)
        for lo in range(0, count, CHUNK)
    ]
    reader = merkle.DictHashReader()
    entry_sql = (
        f"COPY {LedgerEntry._meta.db_table} "
        "(log_id, seq, recorded_at, kind, canonical, leaf_hash, signature, key_id) FROM STDIN"
    )
    node_sql = f'COPY {TreeNode._meta.db_table} (log_id, level, "index", hash) FROM STDIN'
    last_recorded = None
    size = 0
    with mp.get_context("fork").Pool(os.cpu_count() or 2) as pool, connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        for rows in pool.imap(_sign_chunk, tasks):
            with raw.copy(entry_sql) as copy:
                for seq, recorded, canonical, leaf, signature in rows:
                    copy.write_row(
                        (
                            LOG_ID,
                            seq,
                            recorded,
                            "access.recorded",
                            canonical,
                            leaf,
                            signature,
                            key.key_id,
                        )
                    )
            nodes = merkle.stored_hashes_for_append(size, [row[3] for row in rows], reader)
            with raw.copy(node_sql) as copy:
                for (level, index), value in nodes:
                    if level:
                        copy.write_row((LOG_ID, level, index, value))
            size += len(rows)
            reader.update(nodes)
            # Only the right edge of the tree is ever read by the next append.
            keep = set(decompose(0, size))
            for index in [index for index in reader if index not in keep]:
                del reader[index]
            last_recorded = rows[-1][1]
            print(f"\r  built {size:,} of {count:,} entries", end="", flush=True)
    print()
    from auditsvc.core.canonical import parse_time

    Log.objects.filter(pk=LOG_ID).update(size=size, last_recorded_at=parse_time(last_recorded))
    return time.perf_counter() - began


# --- The export, in a child process --------------------------------------------------


def child(args: argparse.Namespace) -> None:
    """Export the whole log to ``args.out``; print one JSON line of figures."""
    import django

    django.setup()
    from auditsvc.exports.bundles import bundle_snapshot, write_bundle
    from auditsvc.ingestion.validation.fields import parse_datetime

    before_mb = peak_rss_mb()
    began = time.perf_counter()
    snapshot = bundle_snapshot(LOG_ID)
    with open(args.out, "wb") as out:
        manifest = write_bundle(
            LOG_ID,
            parse_datetime(args.range_from),
            parse_datetime(args.range_to),
            requested_by=None,
            out=out,
            snapshot=snapshot,
        )
    elapsed = time.perf_counter() - began
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "count": manifest["count"],
                "tree_size": manifest["tree_size"],
                "rss_before_mb": before_mb,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB.

    Not ``ru_maxrss``: Linux keeps that across exec, so a child would report
    the peak of the parent it was forked from (here, the log builder).
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def count_lines(bundle: Path) -> int:
    lines = 0
    with zipfile.ZipFile(bundle) as archive, archive.open("entries.jsonl") as entries:
        while block := entries.read(1 << 20):
            lines += block.count(b"\n")
    return lines


# --- The run ---------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    database_url = bench_database_url(args.database_url)
    tmp = Path(tempfile.mkdtemp(prefix="auditsvc-bench-exports-"))
    KEY_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    reuse = args.reuse and log_size(database_url) == args.entries
    if not reuse:
        for old in KEY_DIR.glob("*.key"):
            old.unlink()
        print(f"Recreating {urllib.parse.urlsplit(database_url).path.lstrip('/')} ...")
        recreate_database(database_url)
    pg_version = server_version(database_url)
    env = environment(database_url, tmp)

    import django

    django.setup()
    from django.core.management import call_command

    from auditsvc.ledger.checkpoints import checkpoint_sign
    from auditsvc.ledger.keys import entry_signing_key, forget_loaded_keys
    from auditsvc.ledger.models import LedgerEntry
    from auditsvc.ledger.publishing import key_generate

    if reuse:
        print(f"Reusing log {LOG_ID} of {args.entries:,} entries (--reuse).")
        key = entry_signing_key()
        start = LedgerEntry.objects.get(log_id=LOG_ID, seq=0).recorded_at
        build_seconds = None
    else:
        call_command("migrate", verbosity=0)
        key_generate()
        forget_loaded_keys()
        key = entry_signing_key()
        start = (dt.datetime.now(dt.UTC) - SPAN - dt.timedelta(days=1)).replace(microsecond=0)
        print(f"Building log {LOG_ID}: {args.entries:,} signed entries ...")
        build_seconds = round(build_log(args.entries, start, key), 1)
        checkpoint_sign(LOG_ID)

    from django.db import connection

    connection.close()
    bundle = Path(args.bundle).resolve()
    bundle.parent.mkdir(parents=True, exist_ok=True)
    range_from = start.isoformat()
    range_to = (start + SPAN + dt.timedelta(hours=1)).isoformat()
    print(f"Exporting [{range_from}, {range_to}) to {bundle} ...")
    command = [sys.executable, __file__, "--child", "--out", str(bundle)]
    command += ["--range-from", range_from, "--range-to", range_to]
    completed = subprocess.run(
        command,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"The export failed:\n{completed.stderr[-4000:]}")
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    lines = count_lines(bundle)
    assert lines == figures["count"] == args.entries, (lines, figures, args.entries)
    return {
        "machine": machine_info(pg_version),
        "entries": args.entries,
        "build_seconds": build_seconds,
        "export_seconds": round(figures["seconds"], 2),
        "entries_per_second": round(figures["count"] / figures["seconds"]),
        "peak_rss_mb": round(figures["peak_rss_mb"], 1),
        "rss_before_export_mb": round(figures["rss_before_mb"], 1),
        "bundle": str(bundle),
        "bundle_bytes": bundle.stat().st_size,
        "trusted_key": key.verifier_string(),
        "targets": {
            "entries_per_second": TARGET_ENTRIES_PER_SECOND,
            "peak_rss_mb": TARGET_PEAK_MB,
        },
    }


def report(result: dict[str, Any]) -> bool:
    speed_ok = result["entries_per_second"] >= TARGET_ENTRIES_PER_SECOND
    memory_ok = result["peak_rss_mb"] < TARGET_PEAK_MB
    machine = result["machine"]
    print()
    print(f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB;")
    print(f"  Python {machine['python']}, PostgreSQL {machine['postgresql']}; {machine['date']}")
    if result["build_seconds"] is not None:
        print(f"Log built: {result['entries']:,} entries in {result['build_seconds']} s")
    print(
        f"Export:    {result['entries_per_second']:,} entries/s "
        f"({result['export_seconds']} s)   target >= {TARGET_ENTRIES_PER_SECOND:,}   "
        f"{'OK' if speed_ok else 'MISSED'}"
    )
    print(
        f"Memory:    peak {result['peak_rss_mb']} MB resident "
        f"({result['rss_before_export_mb']} MB before the export began)   "
        f"target < {TARGET_PEAK_MB} MB   {'OK' if memory_ok else 'MISSED'}"
    )
    print(f"Bundle:    {result['bundle']} ({result['bundle_bytes'] / 1e6:.1f} MB)")
    print(f"Trust:     {result['trusted_key']}")
    return speed_ok and memory_ok


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="Entries in the log.")
    parser.add_argument("--quick", action="store_true", help="A smoke run of 20,000 entries.")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Keep the bench database's log if it already holds --entries entries.",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL; a database whose name lacks 'bench' is swapped for bench_exports.",
    )
    parser.add_argument("--bundle", default=str(DEFAULT_BUNDLE), help="Where the zip goes.")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--range-from", help=argparse.SUPPRESS)
    parser.add_argument("--range-to", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.entries = 20_000
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        child(args)
        return 0
    result = run(args)
    ok = report(result)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"exports-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS_DIR / "exports-last.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"Results:   {path} (and bench/results/exports-last.json)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
