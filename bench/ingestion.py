"""Ingestion benchmark: access events per second over HTTP, and what the signed ledger costs.

Run with ``make bench`` (or ``.venv/bin/python bench/ingestion.py --help``).
One run does, against PostgreSQL:

1. drops and recreates the bench database (never ``test``: a database whose
   name does not contain "bench" is replaced by ``auditsvc_bench`` on the same
   server), migrates it, creates a signing key in a temporary key directory
   and two approved enrolment partners with an all-day authorisation for
   region 4113, agents and API keys;
2. starts gunicorn (``-w 2 --threads 1`` by default) with production settings
   and waits until it answers;
3. posts pre-built batches of 500 valid access events to
   ``POST /api/v1/access-events`` from C client processes, timed end to end,
   checking every answer (201, one "recorded" result per event) and the
   AccessEvent count afterwards. It also counts the CPU time that the web
   workers, PostgreSQL, the clients and everything else used meanwhile
   (/proc), and the workers' garbage-collector pauses (gunicorn_probe.py);
4. reads the web workers' memory (VmRSS, VmHWM) from /proc;
5. in this process, a batch of each in turn: stores the same events' domain
   rows with a plain, unsigned ``bulk_create`` into a bench-only copy of the
   AccessEvent table (same columns and indexes, no ledger link); appends
   them to a ledger (``append_entries`` of 500 entries under
   ``log_for_update``: signing and tree maintenance); and, for information,
   stores them again the way the service writes its own rows (one binary
   ``unnest`` INSERT); then times canonical JSON, leaf hash and Ed25519
   alone;
6. prints a table, writes ``bench/results/ingestion-<date>.json``, stops
   gunicorn and leaves no process behind, even on failure.

``--profile`` adds a cProfile of a few batches posted in-process through the
whole Django stack; ``--wait-idle`` waits for a quiet machine first (the CPU
figures show when something else was running).

Targets (the issue "The signed ledger and the ingestion API"): at least
5,000 events/s end to end on 2 cores, and signing plus tree maintenance
costing at most 1.5x the plain insert. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import multiprocessing as mp
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
API_PATH = "/api/v1/access-events"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/auditsvc_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
TARGET_EVENTS_PER_SECOND = 5000
TARGET_LEDGER_RATIO = 1.5
REGION = "411381"  # Dengzhou; inside the authorised prefix 4113
AGENTS_PER_PARTNER = 10
WARMUP_EVENTS = 50
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# Never dropped, whatever DATABASE_URL says.
PROTECTED_DATABASES = {"test", "postgres", "template0", "template1"}


# --- Set-up helpers (no Django) ---------------------------------------------------


def bench_database_url(url: str) -> tuple[str, str | None]:
    """The database the bench may drop: ``url`` itself only if its name says "bench".

    DATABASE_URL often points at a real or test database; the bench drops
    what it uses, so anything else is swapped for ``auditsvc_bench`` on the
    same server. Returns the URL and a note when it was swapped.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"The ingestion benchmark needs PostgreSQL, not {parts.scheme!r}.")
    name = parts.path.lstrip("/")
    if "bench" in name and name not in PROTECTED_DATABASES:
        return url, None
    swapped = urllib.parse.urlunsplit(parts._replace(path="/auditsvc_bench"))
    return swapped, f"database {name!r} is not a bench database; using 'auditsvc_bench' instead"


def recreate_database(url: str) -> str:
    """Drop and create the bench database; return the server version."""
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


def redis_answers(url: str) -> bool:
    """True if Redis answers at ``url`` (the throttle's counters expire by themselves)."""
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        client.ping()
        client.close()
        return True
    except Exception:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_TICK = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime and stime are fields 14 and 15 of proc(5); [0] here is field 3.
    return (int(fields[11]) + int(fields[12])) / _TICK


def pids_named(name: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
    return pids


def cpu_snapshot(worker_pids: list[int]) -> dict[str, float]:
    """CPU seconds so far of the web workers, PostgreSQL, Redis and the whole machine."""
    with open("/proc/stat") as stat:
        ticks = [int(x) for x in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return {
        "web_workers": sum(process_cpu(pid) for pid in worker_pids),
        "postgres": sum(process_cpu(pid) for pid in pids_named("postgres")),
        "redis": sum(process_cpu(pid) for pid in pids_named("redis-server")),
        "machine_busy": (sum(ticks[:8]) - idle) / _TICK,
    }


def machine_info(pg_version: str) -> dict[str, Any]:
    cpu_model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    free = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "free_h": free.strip(),
        "cpu_model": cpu_model,
        "postgresql": pg_version,
        "python": platform.python_version(),
        "kernel": platform.release(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def resident_id(birth: dt.date, sequence: int) -> str:
    """A valid GB 11643-1999 number: ISO 7064 MOD 11-2 check character over the first 17."""
    first17 = f"{REGION}{birth:%Y%m%d}{sequence:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def build_events(prefix: str, count: int, rng: random.Random) -> list[dict[str, Any]]:
    """``count`` valid access events with distinct client_event_ids and no session."""
    now = dt.datetime.now(SHANGHAI).replace(microsecond=0)
    events = []
    for i in range(count):
        birth = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(365 * 60))
        occurred = now - dt.timedelta(seconds=rng.randrange(1, 600))
        events.append(
            {
                "client_event_id": f"{prefix}-{i:07d}",
                "session": None,
                "agent": f"A-{1 + i % AGENTS_PER_PARTNER:04d}",
                "resident": {
                    "scheme": "cn-resident-id",
                    "value": resident_id(birth, rng.randrange(1000)),
                },
                "fields": ["name", "id_number", "phone"],
                "purpose": "card_activation",
                "occurred_at": occurred.isoformat(),
                "device": f"bench-device-{rng.randrange(200):03d}",
            }
        )
    return events


def chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


# --- Client processes (spawned: they import nothing from Django) ----------------------


def post_batches(
    port: int,
    key: str,
    warmup: bytes,
    bodies: list[bytes],
    sizes: list[int],
    ready: Any,
    go: Any,
    out: Any,
) -> None:
    """Post ``bodies`` in order over one HTTP connection; report timings and any bad answer."""
    import orjson

    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    # http.client reopens the connection by itself when the server closes it
    # (gunicorn's sync worker answers "Connection: close" to every request).
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    errors: list[str] = []
    reconnects = 0

    def post(body: bytes, expected: int) -> None:
        nonlocal reconnects
        if conn.sock is None:
            reconnects += 1
        conn.request("POST", API_PATH, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        if response.status != 201:
            errors.append(f"HTTP {response.status}: {data[:300]!r}")
            return
        results = orjson.loads(data).get("results", [])
        recorded = sum(1 for r in results if r.get("status") == "recorded" and r.get("receipt"))
        if len(results) != expected or recorded != expected:
            errors.append(f"{len(results)} results, {recorded} recorded, expected {expected}")

    try:
        post(warmup, WARMUP_EVENTS)
        reconnects = 0
        ready.wait()
        go.wait()
        latencies = []
        cpu_started = time.process_time()
        started = time.monotonic()
        for body, size in zip(bodies, sizes, strict=True):
            t0 = time.monotonic()
            post(body, size)
            latencies.append(time.monotonic() - t0)
        finished = time.monotonic()
        out.put(
            {
                "cpu_seconds": time.process_time() - cpu_started,
                "started": started,
                "finished": finished,
                "latencies": latencies,
                "errors": errors,
                "connections": reconnects,
            }
        )
    except BaseException as exc:
        ready.abort()  # the parent must not wait for a client that is gone
        out.put({"errors": [*errors, f"{type(exc).__name__}: {exc}"], "fatal": True})
    finally:
        conn.close()


# --- gunicorn -----------------------------------------------------------------------------


class Gunicorn:
    """gunicorn in its own process group, stopped (and killed if need be) on exit."""

    def __init__(self, env: dict[str, str], port: int, workers: int, log_path: Path) -> None:
        env = {**env, "BENCH_PROBE_DIR": str(log_path.parent)}
        self.env = env
        self.port = port
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 (closed in stop())
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi",
            "-w",
            str(workers),
            "--threads",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            # gunicorn 27 opens a control socket under ~/.gunicorn by default;
            # two runs (or another gunicorn) would fight over it.
            "--no-control-socket",
            # Measuring only: each worker's garbage-collector pauses (bench/gunicorn_probe.py).
            "-c",
            str(ROOT / "bench" / "gunicorn_probe.py"),
        ]
        self.command = command
        self.workers = workers
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # Field 4 (after the parenthesised command name) is the parent pid.
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.process.pid:
                pids.append(int(entry.name))
        return sorted(pids)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited ({self.process.returncode}); see {self.log_path}"
                )
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/api/v1/keys")
                conn.getresponse().read()
                conn.close()
                if len(self.worker_pids()) >= self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s; see {self.log_path}")

    def memory(self) -> list[dict[str, Any]]:
        workers = []
        for pid in self.worker_pids():
            fields = {}
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    key, _, value = line.partition(":")
                    if key in ("VmRSS", "VmHWM"):
                        fields[key] = int(value.split()[0])  # kB
            workers.append(
                {
                    "pid": pid,
                    "vm_rss_mib": fields.get("VmRSS", 0) / 1024,
                    "vm_hwm_mib": fields.get("VmHWM", 0) / 1024,
                }
            )
        return workers

    def gc_pauses(self) -> dict[str, Any]:
        """Running totals of the workers' garbage-collector pauses (see gunicorn_probe.py)."""
        seconds, collections = 0.0, [0, 0, 0]
        for path in Path(self.env["BENCH_PROBE_DIR"]).glob("gc-*.json"):
            with contextlib.suppress(OSError, ValueError):
                state = json.loads(path.read_text())
                seconds += state["seconds"]
                collections = [
                    a + b for a, b in zip(collections, state["collections"], strict=True)
                ]
        return {"seconds": seconds, "collections": collections}

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        # Workers orphaned by a crashed master are in the same process group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


# --- Django parts (after django.setup()) ---------------------------------------------


def create_signing_key(key_dir: Path) -> str:
    """One Ed25519 entry-signing key, through ``auditsvc_keys generate`` when it exists."""
    from django.conf import settings
    from django.core.management import call_command, get_commands

    if "auditsvc_keys" in get_commands():
        call_command("auditsvc_keys", "generate", stdout=open(os.devnull, "w"))  # noqa: SIM115
    else:
        from auditsvc.core.keys import SigningKey

        key = SigningKey.generate(settings.AUDITSVC_ORIGIN)
        path = key_dir / f"{key.key_id}.key"
        path.write_text(key.private_string() + "\n")
        path.chmod(0o600)
    return ", ".join(sorted(p.name for p in key_dir.iterdir()))


def create_partners(count: int) -> list[dict[str, Any]]:
    """Approved enrolment partners, each with an all-day authorisation, agents and a key."""
    from partners import choices, models
    from partners.auth import PARTNER_KEY_PREFIX, hash_key, new_key
    from partners.validators import USCC_ALPHABET, uscc_check_char

    today = dt.date.today()
    partners = []
    for n in range(count):
        body = "91" + REGION + "".join(random.Random(n).choice(USCC_ALPHABET) for _ in range(9))
        partner = models.Partner.objects.create(
            code=models.Partner.objects.next_code(),
            legal_name=f"Bench Enrolment Helper Co. {n + 1}",
            uscc=body + uscc_check_char(body),
            kind=choices.PartnerKind.ENROLMENT_PARTNER,
            status=choices.PartnerStatus.APPROVED,
            contact_name="Li Wei",
            contact_email=f"contact{n}@bench.example",
            dpo_name="Wang Fang",
            dpo_email=f"dpo{n}@bench.example",
            address="1 Renmin Road, Dengzhou, Henan",
        )
        models.Authorisation.objects.create(
            partner=partner,
            letter_number=f"BENCH-{n + 1:04d}",
            regions=["4113"],
            purposes=[p.value for p in choices.Purpose],
            fields=[f.value for f in choices.DataField],
            valid_from=today - dt.timedelta(days=30),
            valid_until=today + dt.timedelta(days=365),
            hours_start=dt.time(0, 0),
            hours_end=dt.time(23, 59, 59),
        )
        agents = []
        for a in range(AGENTS_PER_PARTNER):
            agent = models.Agent.objects.create(
                partner=partner,
                code=f"A-{a + 1:04d}",
                name=f"Agent {a + 1}",
                phone_ref=secrets.token_hex(32),
                identity_ref=secrets.token_hex(32),
            )
            agents.append(agent)
        key, prefix = new_key(PARTNER_KEY_PREFIX)
        models.ApiCredential.objects.create(
            partner=partner, label="bench", prefix=prefix, key_hash=hash_key(key)
        )
        partners.append({"partner": partner, "agents": {a.code: a for a in agents}, "key": key})
    return partners


LEDGER_LINK = frozenset({"ledger_entry", "ledger_seq"})


def plain_access_event_model(name: str, db_table: str, tag: str):
    """A bench-only model with AccessEvent's columns and indexes, minus the ledger link
    (the entry and the copy of its seq)."""
    from django.db import models

    from auditsvc.ingestion.models import AccessEvent

    attrs: dict[str, Any] = {"__module__": __name__}
    for field in AccessEvent._meta.local_fields:
        if field.name in ("id", *LEDGER_LINK):
            continue
        _, _, args, kwargs = field.deconstruct()
        if field.is_relation:
            kwargs["related_name"] = "+"
        attrs[field.name] = type(field)(*args, **kwargs)
    meta = AccessEvent._meta
    attrs["Meta"] = type(
        "Meta",
        (),
        {
            "app_label": "bench",
            "db_table": db_table,
            "constraints": [
                models.UniqueConstraint(fields=c.fields, name=f"bench{tag}_{c.name}")
                for c in meta.constraints
            ],
            "indexes": [
                models.Index(fields=i.fields, name=f"bench{tag}_{i.name}")
                for i in meta.indexes
                if not LEDGER_LINK.intersection(i.fields)
            ],
        },
    )
    return type(name, (models.Model,), attrs)


def unnest_insert(model, rows: list[dict[str, Any]], recorded_at: dt.datetime) -> None:
    """INSERT ... SELECT FROM unnest() of one binary array per column, server-side binding.

    The way the ingestion service writes its domain rows on PostgreSQL
    (Django's cursors bind client-side, quoting every value in Python): the
    fastest plain insert, to compare the ledger with as well.
    """
    import orjson
    import psycopg
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = []
    for field in fields:
        if field.name == "recorded_at":
            values = [recorded_at] * len(rows)
        elif field.is_relation:
            values = [getattr(row[field.name], "pk", None) for row in rows]
        elif field.get_internal_type() == "JSONField":
            values = [orjson.dumps(row[field.name]).decode() for row in rows]
        else:
            values = [row[field.name] for row in rows]
        columns.append(values)

    def array_type(field) -> str:
        db_type = field.db_type(connection)
        return "text[]" if db_type.startswith("varchar") else f"{db_type}[]"

    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    arrays = ", ".join(f"%b::{array_type(f)}" for f in fields)
    aliases = ", ".join(f"c{i}" for i in range(len(fields)))
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({names}) "  # noqa: S608 (names from _meta)
        f"SELECT {aliases} FROM unnest({arrays}) AS u({aliases})"
    )
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, columns, prepare=False)


def domain_rows(partner_info: dict[str, Any], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The AccessEvent columns of ``events`` (pseudonyms computed here, outside any timing)."""
    from auditsvc.base.identities import device_ref, resident_identity

    rows = []
    for event in events:
        identity = resident_identity(event["resident"]["scheme"], event["resident"]["value"])
        rows.append(
            {
                "partner": partner_info["partner"],
                "test": False,
                "client_event_id": event["client_event_id"],
                "session": None,
                "agent_code": event["agent"],
                "agent": partner_info["agents"].get(event["agent"]),
                "identity_ref": identity.identity_ref,
                "id_region_code": identity.region_code,
                "birth_year": identity.birth_year,
                "fields": event["fields"],
                "purpose": event["purpose"],
                "occurred_at": dt.datetime.fromisoformat(event["occurred_at"]),
                "device_ref": device_ref(event["device"]),
                "violations": ",no_open_session,",
            }
        )
    return rows


def access_body(row: dict[str, Any]) -> dict[str, Any]:
    """A representative ``access.recorded`` body: what the ingestion service signs per event."""
    from auditsvc.core.canonical import format_time

    return {
        "client_event_id": row["client_event_id"],
        "partner": row["partner"].code,
        "session": None,
        "agent": row["agent_code"],
        "identity_ref": row["identity_ref"],
        "id_region_code": row["id_region_code"],
        "birth_year": row["birth_year"],
        "fields": row["fields"],
        "purpose": row["purpose"],
        "occurred_at": format_time(row["occurred_at"]),
        "device_ref": row["device_ref"],
        "credential": row["partner"].pk,  # an integer id, like the credential's
        "violations": ["no_open_session"],
    }


def time_in_process(
    models_: tuple[Any, Any],
    rows: list[dict[str, Any]],
    bodies: list[dict[str, Any]],
    batch: int,
    log_id: str,
) -> dict[str, float]:
    """Store ``rows`` plainly (twice) and append ``bodies`` to the ledger, a batch of each in turn.

    Plain: the ORM's ``bulk_create`` into one bench table, and the service's
    own way (``unnest_insert``) into another. Interleaved so that all three
    see the same machine (caches, other load): their ratios are what the
    target is about. One transaction per batch, as the API does. Returns wall
    and this process's CPU seconds of each.
    """
    from django.db import transaction
    from django.utils import timezone

    from auditsvc.ingestion.kinds import IngestionKind
    from auditsvc.ledger.services import append_entries, log_for_update

    orm_model, unnest_model = models_
    kind = IngestionKind.ACCESS_RECORDED.value
    totals: dict[str, float] = {}

    def timed(name: str, work) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            work()
        totals[f"{name}_wall"] = totals.get(f"{name}_wall", 0.0) + time.perf_counter() - wall
        totals[f"{name}_cpu"] = totals.get(f"{name}_cpu", 0.0) + time.process_time() - cpu

    for part, body_part in zip(chunks(rows, batch), chunks(bodies, batch), strict=True):
        timed(
            "plain",
            lambda part=part: orm_model.objects.bulk_create(
                [orm_model(recorded_at=timezone.now(), **row) for row in part]
            ),
        )
        items = [(kind, body) for body in body_part]
        timed("ledger", lambda items=items: append_entries(log_for_update(log_id), items))
        timed("unnest", lambda part=part: unnest_insert(unnest_model, part, timezone.now()))
    return totals


def time_ledger_crypto(bodies: list[dict[str, Any]]) -> dict[str, float]:
    """Seconds of an append's per-entry work alone: canonical bytes, leaf hash, signature."""
    import hashlib

    from auditsvc.core.canonical import entry_bytes, format_time
    from auditsvc.core.keys import ENTRY_CONTEXT
    from auditsvc.ledger.keys import entry_signing_key

    key = entry_signing_key()
    recorded = format_time(dt.datetime.now(dt.UTC))
    t0 = time.perf_counter()
    data = [
        entry_bytes("benchcrypto", seq, recorded, "access.recorded", body)
        for seq, body in enumerate(bodies)
    ]
    t1 = time.perf_counter()
    leaves = [hashlib.sha256(b"\x00" + item).digest() for item in data]
    t2 = time.perf_counter()
    for leaf in leaves:
        key.sign(ENTRY_CONTEXT + leaf)
    t3 = time.perf_counter()
    return {"canonical": t1 - t0, "leaf_hash": t2 - t1, "sign": t3 - t2}


def table_sizes() -> dict[str, int]:
    from django.db import connection

    names = [
        "ingestion_accessevent",
        "ledger_ledgerentry",
        "ledger_treenode",
        "bench_plain_access_event",
        "bench_unnest_access_event",
    ]
    sizes = {}
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute("SELECT pg_total_relation_size(to_regclass(%s))", [name])
            sizes[name] = cursor.fetchone()[0] or 0
    return sizes


def profile_in_process(partner_info: dict[str, Any], bodies: list[bytes], out_path: Path) -> str:
    """Post ``bodies`` through the whole Django stack in-process and say where the time goes.

    The first request only warms up (it imports the URLconf and views); half
    of the rest are timed plainly, the other half run under cProfile (which
    slows pure-Python code more than waiting on the database).
    """
    import cProfile
    import io
    import pstats

    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {partner_info['key']}", HTTP_HOST="127.0.0.1")

    def post(body: bytes) -> None:
        response = client.post(API_PATH, data=body, content_type="application/json")
        if response.status_code != 201:
            raise RuntimeError(f"HTTP {response.status_code} {response.content[:300]!r}")

    warmup, *bodies = bodies
    post(warmup)
    plain, profiled = bodies[: len(bodies) // 2], bodies[len(bodies) // 2 :]
    started = time.perf_counter()
    for body in plain:
        post(body)
    wall = time.perf_counter() - started

    profiler = cProfile.Profile()
    for body in profiled:
        profiler.enable()
        post(body)
        profiler.disable()
    profiler.dump_stats(out_path)
    text = io.StringIO()
    text.write(
        f"In-process, one request at a time, unprofiled: {wall / len(plain) * 1000:.1f} ms "
        f"per batch. cProfile of {len(profiled)} more batches (dump: {out_path.name}):\n"
    )
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(25)
    return text.getvalue()


# --- The run ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=30_000, help="events posted in the timed run")
    parser.add_argument("--batch", type=int, default=500, help="events per request (max 1000)")
    parser.add_argument("--clients", type=int, default=2, help="concurrent client processes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--partners", type=int, default=2, help="partners (one log each)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2,000 events")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL server and bench database (dropped and recreated)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        help="Redis for the throttle and the broker; used only if it answers",
    )
    parser.add_argument("--no-redis", action="store_true", help="run without Redis")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also post a few batches in-process under cProfile and print where the time goes",
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0,
        metavar="SECONDS",
        help="first wait up to this long for the 1-minute load average to fall below 0.5",
    )
    parser.add_argument("--seed", type=int, default=11643)
    args = parser.parse_args(argv)
    if args.quick:
        args.events = min(args.events, 2_000)
    if not 1 <= args.batch <= 1000:
        parser.error("--batch must be 1..1000")
    if args.events < args.batch * args.clients:
        parser.error("--events must be at least --batch x --clients")
    return args


def configure_environment(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Production-like settings for gunicorn and for this process (they share the pepper)."""
    database_url, note = bench_database_url(args.database_url)
    redis_url = None if args.no_redis or not redis_answers(args.redis_url) else args.redis_url
    key_dir = tmp / "keys"
    key_dir.mkdir(mode=0o700)
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "AUDITSVC_PEPPER": secrets.token_urlsafe(32),
        "AUDITSVC_KEY_DIR": str(key_dir),
        "AUDITSVC_VAR_DIR": str(tmp / "var"),
        "DATABASE_URL": database_url,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "AUDITSVC_THROTTLE_CREDENTIAL": "1000000/min",
        "LOG_LEVEL": "WARNING",
    }
    for name in (
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "AUDITSVC_SIGNING_KEY",
        "AUDITSVC_SIGNING_KEY_FILE",
        "DJANGO_SECRET_KEY_FILE",
        "AUDITSVC_PEPPER_FILE",
    ):
        os.environ.pop(name, None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    os.environ.update(env)
    return {
        "env": env,
        "database_url": database_url,
        "note": note,
        "redis_url": redis_url,
        "key_dir": key_dir,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="auditsvc-bench-"))
    gunicorn: Gunicorn | None = None
    clients: list[mp.process.BaseProcess] = []
    try:
        conf = configure_environment(args, tmp)
        if conf["note"]:
            print(f"note: {conf['note']}")
        pg_version = recreate_database(conf["database_url"])

        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, connections

        from auditsvc.ingestion.models import AccessEvent
        from auditsvc.ledger.models import Log

        t0 = time.monotonic()
        call_command("migrate", verbosity=0, interactive=False)
        print(f"migrated in {time.monotonic() - t0:.1f} s")
        keys = create_signing_key(conf["key_dir"])
        partners = create_partners(args.partners)

        # Request bodies, built before anything is timed.
        rng = random.Random(args.seed)
        run_id = secrets.token_hex(3)
        batches_total = args.events // args.batch
        per_partner: list[list[dict[str, Any]]] = [[] for _ in partners]
        for i in range(args.clients):
            p = i % len(partners)
            count = (
                batches_total // args.clients + (1 if i < batches_total % args.clients else 0)
            ) * args.batch
            per_partner[p].extend(build_events(f"{run_id}-c{i}", count, rng))
        import orjson

        client_batches: list[list[list[dict[str, Any]]]] = []
        for i in range(args.clients):
            p = i % len(partners)
            mine = [e for e in per_partner[p] if e["client_event_id"].startswith(f"{run_id}-c{i}-")]
            client_batches.append(chunks(mine, args.batch))
        events_total = sum(len(b) for batches in client_batches for b in batches)
        warmups = [
            orjson.dumps({"events": build_events(f"{run_id}-w{i}", WARMUP_EVENTS, rng)})
            for i in range(args.clients)
        ]

        connections.close_all()  # gunicorn and the clients must not share this process's sockets
        port = free_port()
        gunicorn = Gunicorn(dict(os.environ), port, args.workers, tmp / "gunicorn.log")
        gunicorn_command = " ".join(["gunicorn", *gunicorn.command[1:]])
        gunicorn.wait_ready()
        print(f"gunicorn ready on 127.0.0.1:{port} ({args.workers} workers)")

        ctx = mp.get_context("spawn")
        ready = ctx.Barrier(args.clients + 1)
        go = ctx.Event()
        out = ctx.Queue()
        for i in range(args.clients):
            p = i % len(partners)
            bodies = [orjson.dumps({"events": b}) for b in client_batches[i]]
            proc = ctx.Process(
                target=post_batches,
                args=(
                    port,
                    partners[p]["key"],
                    warmups[i],
                    bodies,
                    [len(b) for b in client_batches[i]],
                    ready,
                    go,
                    out,
                ),
                daemon=True,
            )
            proc.start()
            clients.append(proc)
        try:
            ready.wait(timeout=300)  # every client has sent its warm-up batch
        except threading.BrokenBarrierError:
            failures = [e for _ in clients if not out.empty() for e in out.get()["errors"]]
            raise RuntimeError("a client failed: " + "; ".join(failures[:5])) from None
        worker_pids = gunicorn.worker_pids()
        load_before = os.getloadavg()
        cpu_before = cpu_snapshot(worker_pids)
        gc_before = gunicorn.gc_pauses()
        go.set()
        reports = [out.get(timeout=900) for _ in clients]
        cpu_after = cpu_snapshot(worker_pids)
        gc_after = gunicorn.gc_pauses()
        for proc in clients:
            proc.join(timeout=30)
        errors = [e for r in reports for e in r["errors"]]
        if any(r.get("fatal") for r in reports) or errors:
            raise RuntimeError("HTTP run failed: " + "; ".join(errors[:5]))
        wall = max(r["finished"] for r in reports) - min(r["started"] for r in reports)
        latencies = sorted(x for r in reports for x in r["latencies"])
        memory = gunicorn.memory()
        gunicorn.stop()
        gunicorn = None

        expected = events_total + WARMUP_EVENTS * args.clients
        stored = AccessEvent.objects.filter(partner__in=[p["partner"] for p in partners]).count()
        if stored != expected:
            raise RuntimeError(f"{stored} AccessEvent rows, expected {expected}")
        log_sizes = {log.log_id: log.size for log in Log.objects.all()}

        # In-process: the same events as plain unsigned rows, then the ledger alone.
        plain_models = (
            plain_access_event_model("PlainAccessEvent", "bench_plain_access_event", "p"),
            plain_access_event_model("UnnestAccessEvent", "bench_unnest_access_event", "u"),
        )
        with connection.schema_editor() as editor:
            for model in plain_models:
                editor.create_model(model)
        rows = []
        for p, info in enumerate(partners):
            rows.extend(domain_rows(info, per_partner[p]))
        bodies = [access_body(row) for row in rows]
        timed = time_in_process(plain_models, rows, bodies, args.batch, "benchledger")
        plain_seconds, ledger_seconds = timed["plain_wall"], timed["ledger_wall"]
        crypto = time_ledger_crypto(bodies)
        sizes = table_sizes()
        ledger_rows = max(1, sum(log.size for log in Log.objects.all()))

        profile_text = None
        if args.profile:
            info = partners[0]
            prof_events = build_events(f"{run_id}-prof", 9 * args.batch, rng)
            prof_bodies = [orjson.dumps({"events": b}) for b in chunks(prof_events, args.batch)]
            RESULTS_DIR.mkdir(parents=True, exist_ok=True)
            prof_path = RESULTS_DIR / f"ingestion-{dt.datetime.now():%Y%m%d-%H%M%S}.prof"
            profile_text = profile_in_process(info, prof_bodies, prof_path)

        n = len(rows)
        e2e_rate = events_total / wall
        cpu = {name: cpu_after[name] - cpu_before[name] for name in cpu_before}
        cpu["clients"] = sum(r["cpu_seconds"] for r in reports)
        cpu["other"] = max(
            0.0,
            cpu["machine_busy"]
            - cpu["web_workers"]
            - cpu["postgres"]
            - cpu["redis"]
            - cpu["clients"],
        )
        cpu_per_event = {name: seconds / events_total * 1e6 for name, seconds in cpu.items()}
        plain_us = plain_seconds / n * 1e6
        ledger_us = ledger_seconds / n * 1e6
        plain_rate = n / plain_seconds
        return {
            "machine": machine_info(pg_version),
            "parameters": {
                "events": events_total,
                "batch": args.batch,
                "clients": args.clients,
                "workers": args.workers,
                "threads": 1,
                "partners": args.partners,
                "quick": args.quick,
                "redis": bool(conf["redis_url"]),
                "gunicorn": gunicorn_command,
                "signing_keys": keys,
            },
            "http": {
                "events": events_total,
                "requests": len(latencies),
                "wall_seconds": wall,
                "events_per_second": e2e_rate,
                "latency_ms": {
                    "p50": statistics.median(latencies) * 1000,
                    "p95": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
                    "max": latencies[-1] * 1000,
                },
                "connections_opened": sum(r["connections"] for r in reports),
                "stored_access_events": stored,
                # CPU time spent during the timed window, per event, by who spent it;
                # "other" is everything else on the machine (a busy machine skews the run).
                "cpu_us_per_event": cpu_per_event,
                "cpu_utilisation": cpu["machine_busy"] / (wall * len(os.sched_getaffinity(0))),
                "load_average_before": load_before,
                # Web workers' garbage-collector pauses during the timed run.
                "gc_pause_us_per_event": (gc_after["seconds"] - gc_before["seconds"])
                / events_total
                * 1e6,
                "gc_collections": [
                    a - b
                    for a, b in zip(gc_after["collections"], gc_before["collections"], strict=True)
                ],
                "other_cpu_share": cpu["other"] / max(cpu["machine_busy"], 1e-9),
                "log_sizes": log_sizes,
            },
            "workers_memory": memory,
            "in_process": {
                "events": n,
                "plain_insert_seconds": plain_seconds,
                "plain_insert_us_per_event": plain_us,
                "plain_insert_events_per_second": plain_rate,
                "ledger_seconds": ledger_seconds,
                "ledger_us_per_event": ledger_us,
                "ledger_events_per_second": n / ledger_seconds,
                # This process's CPU; the rest of the wall time is PostgreSQL and the commit.
                "plain_insert_python_cpu_us_per_event": timed["plain_cpu"] / n * 1e6,
                # The same rows the way the service inserts its own (binary unnest).
                "unnest_insert_us_per_event": timed["unnest_wall"] / n * 1e6,
                "unnest_insert_python_cpu_us_per_event": timed["unnest_cpu"] / n * 1e6,
                "ledger_python_cpu_us_per_event": timed["ledger_cpu"] / n * 1e6,
                # The per-entry work of append_entries measured alone (no database).
                "ledger_parts_us_per_event": {
                    name: seconds / n * 1e6 for name, seconds in crypto.items()
                },
            },
            "ratios": {
                "ledger_over_plain_insert": ledger_us / plain_us,
                "ledger_over_unnest_insert": timed["ledger_wall"] / timed["unnest_wall"],
                "http_throughput_over_plain_insert_throughput": e2e_rate / plain_rate,
                "http_events_per_second_over_target": e2e_rate / TARGET_EVENTS_PER_SECOND,
                "ledger_ratio_over_target": (ledger_us / plain_us) / TARGET_LEDGER_RATIO,
            },
            "targets": {
                "http_events_per_second_min": TARGET_EVENTS_PER_SECOND,
                "ledger_over_plain_insert_max": TARGET_LEDGER_RATIO,
                "http_met": e2e_rate >= TARGET_EVENTS_PER_SECOND,
                "ledger_met": ledger_us / plain_us <= TARGET_LEDGER_RATIO,
            },
            "table_bytes": sizes,
            # On-disk bytes (table + indexes + TOAST) per stored row, for capacity planning.
            "bytes_per_row": {
                "access_event": sizes["ingestion_accessevent"] / max(stored, 1),
                "ledger_entry": sizes["ledger_ledgerentry"] / ledger_rows,
                "tree_node_per_entry": sizes["ledger_treenode"] / ledger_rows,
            },
            "profile": profile_text,
        }
    finally:
        for proc in clients:
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=5)
        if gunicorn is not None:
            gunicorn.stop()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        log = tmp / "gunicorn.log"
        if log.exists() and log.stat().st_size:
            RESULTS_DIR.mkdir(parents=True, exist_ok=True)
            shutil.copy(log, RESULTS_DIR / "gunicorn-last.log")
        shutil.rmtree(tmp, ignore_errors=True)


def report(result: dict[str, Any]) -> None:
    """Print the figures as a table that fits 80 columns (CI logs)."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    http_, inproc, ratios = result["http"], result["in_process"], result["ratios"]
    machine, p = result["machine"], result["parameters"]
    console.print(
        f"[bold]Ingestion benchmark[/bold] {machine['date']}: {machine['nproc']} CPUs "
        f"({machine['cpu_model']}), PostgreSQL {machine['postgresql'].split()[0]}, "
        f"gunicorn {p['workers']} workers x 1 thread, {p['clients']} clients, "
        f"{http_['events']:,} events in batches of {p['batch']}, "
        f"Redis {'on' if p['redis'] else 'off'}"
    )
    table = Table(show_header=True, header_style="bold")
    for name, justify in (("measure", "left"), ("value", "right"), ("target", "right")):
        table.add_column(name, justify=justify)
    table.add_column("vs target", justify="right")

    def verdict(ok: bool, text: str) -> str:
        return f"[green]{text}[/green]" if ok else f"[red]{text}[/red]"

    rate = http_["events_per_second"]
    ledger_ratio = ratios["ledger_over_plain_insert"]
    cpu = http_["cpu_us_per_event"]
    parts = inproc["ledger_parts_us_per_event"]
    latency = http_["latency_ms"]
    rows = [
        (
            "HTTP end to end",
            f"{rate:,.0f} events/s",
            f">= {TARGET_EVENTS_PER_SECOND:,}",
            verdict(rate >= TARGET_EVENTS_PER_SECOND, f"{rate / TARGET_EVENTS_PER_SECOND:.2f}x"),
        ),
        ("  latency of a batch", f"p50 {latency['p50']:.0f}, p95 {latency['p95']:.0f} ms"),
        (
            "  CPU: web/PG/clients/other",
            f"{cpu['web_workers']:.0f}/{cpu['postgres']:.0f}/{cpu['clients']:.0f}/"
            f"{cpu['other']:.0f} µs/event",
        ),
        ("  machine CPU busy", f"{http_['cpu_utilisation']:.0%}"),
        (
            "  web workers' GC pauses",
            f"{http_['gc_pause_us_per_event']:.0f} µs/event "
            f"({http_['gc_pause_us_per_event'] / cpu['web_workers']:.0%})",
        ),
        ("plain bulk_create", f"{inproc['plain_insert_us_per_event']:.1f} µs/event"),
        ("append_entries (sign+tree)", f"{inproc['ledger_us_per_event']:.1f} µs/event"),
        (
            "  JCS/leaf hash/Ed25519",
            f"{parts['canonical']:.1f}/{parts['leaf_hash']:.1f}/{parts['sign']:.1f} µs",
        ),
        (
            "  Python CPU: plain/ledger",
            f"{inproc['plain_insert_python_cpu_us_per_event']:.1f}/"
            f"{inproc['ledger_python_cpu_us_per_event']:.1f} µs",
        ),
        (
            "ledger / plain bulk_create",
            f"{ledger_ratio:.2f}x",
            f"<= {TARGET_LEDGER_RATIO}x",
            verdict(
                ledger_ratio <= TARGET_LEDGER_RATIO, f"{ledger_ratio / TARGET_LEDGER_RATIO:.2f}x"
            ),
        ),
        ("plain binary-unnest insert", f"{inproc['unnest_insert_us_per_event']:.1f} µs/event"),
        ("ledger / unnest insert", f"{ratios['ledger_over_unnest_insert']:.2f}x", "(info)"),
        (
            "HTTP / bulk_create rate",
            f"{ratios['http_throughput_over_plain_insert_throughput']:.2f}x",
        ),
    ]
    rows += [
        (f"worker {w['pid']} RSS/peak", f"{w['vm_rss_mib']:.0f}/{w['vm_hwm_mib']:.0f} MiB")
        for w in result["workers_memory"]
    ]
    for row in rows:
        table.add_row(*row)
    console.print(table)
    if http_["other_cpu_share"] > 0.1:
        console.print(
            f"[yellow]warning:[/yellow] other processes used {http_['other_cpu_share']:.0%} of "
            "the CPU during the HTTP run: these figures understate the service."
        )
    if result.get("profile"):
        console.print(result["profile"], markup=False, highlight=False)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    deadline = time.monotonic() + args.wait_idle
    while os.getloadavg()[0] >= 0.5 and time.monotonic() < deadline:
        print(f"waiting for an idle machine (load {os.getloadavg()[0]:.2f})")
        time.sleep(min(15, max(0.0, deadline - time.monotonic())))
    # SIGTERM (e.g. from make or CI) unwinds through the finally blocks like Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    result = run(args)
    report(result)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS_DIR / f"ingestion-{stamp}{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"results: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
