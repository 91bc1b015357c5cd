"""Detection benchmark: run_detection over 1 million and 5 million stored access events.

Run with ``make bench`` (or ``.venv/bin/python bench/detection.py --help``).
Against PostgreSQL only, in a database of its own (default
``postgres://postgres@127.0.0.1:5432/bench_detection``; a name without
"bench" is refused), which it drops, recreates and migrates.

The records are bulk-generated inside PostgreSQL (``INSERT ... SELECT`` over
``generate_series``), not sent through the API: ``bench/ingestion.py``
measures ingestion. Each enrolment partner has 20 agents working 09:00-17:00
(Asia/Shanghai) over the last 60 days, one session per resident and two
reads in each (100,000 reads a partner: about 83 residents an agent a day),
and a tenth of its residents open an account on one platform, hours to days
later, from their own phones. Every record has its ledger entry (contiguous
seqs, as the detection watermarks need; the signatures are placeholders, as
nothing here verifies them).

1 million events are 10 partners; then 40 more partners bring it to 5
million, and detection runs again from scratch (watermarks and alerts
emptied), over all of them. Each run is timed end to end (``run_detection``
with every rule, from every watermark to each log's head); the time per rule
comes from a run per rule. It prints a table and writes
``bench/results/detection-<date>.json``. ``--reuse`` skips the loading: it
times the rules again over what the database already holds (after a change
to a rule). ``bench/explain_rule.py RULE --partner CODE --explain N`` shows
where one rule's time goes, with the plans of its slowest queries.

Target (issue 9): under 30 s per million events on this 2-core machine,
growing no faster than linearly.
"""

# ruff: noqa: E501, S608 - generated SQL on long lines; only constants are formatted in

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_detection"
EVENTS_PER_PARTNER = 100_000
AGENTS = 20
DAYS = 60
ACCOUNT_EVERY = 10  # one resident in ten opens an account


def database_name(url: str) -> str:
    name = url.rsplit("/", 1)[-1].split("?")[0]
    if "bench" not in name:
        raise SystemExit(
            f"refusing to drop {name!r}: the bench database's name must contain 'bench'"
        )
    return name


def recreate(url: str) -> None:
    import psycopg

    name = database_name(url)
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def environment(url: str, key_dir: str) -> None:
    """Production settings (DEBUG off) on the bench database, with throwaway secrets."""
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(48),
        AUDITSVC_PEPPER=secrets.token_urlsafe(32),
        DJANGO_DEBUG="0",
        AUDITSVC_KEY_DIR=key_dir,
        AUDITSVC_VAR_DIR=str(Path(key_dir) / "var"),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
    )
    for name in ("REDIS_URL", "DJANGO_SECRET_KEY_FILE", "AUDITSVC_PEPPER_FILE"):
        os.environ.pop(name, None)


def migrate() -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, check=True
    )


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def make_partners(first: int, count: int) -> list:
    """Approved enrolment partners P<first>..., each with AGENTS agents (rows only)."""
    from partners.models import Agent, Partner

    now = dt.datetime.now(dt.UTC)
    partners = []
    for number in range(first, first + count):
        partner = Partner.objects.create(
            code=f"P{number:04d}",
            legal_name=f"Bench Enrolment Partner {number}",
            uscc=f"91411381{number:09d}X",
            kind="enrolment_partner",
            contact_name="Bench",
            contact_email="bench@partner.example",
            dpo_name="Bench",
            dpo_email="dpo@partner.example",
            address="1 Bench Road",
            status="approved",
            status_changed_at=now - dt.timedelta(days=400),
        )
        Agent.objects.bulk_create(
            Agent(
                partner=partner,
                code=f"A-{a:04d}",
                name=f"Agent {a}",
                phone_ref=f"{number:032d}{a:032d}",
                identity_ref=f"{a:032d}{number:032d}",
                registered_on=(now - dt.timedelta(days=400)).date(),
            )
            for a in range(1, AGENTS + 1)
        )
        partners.append(partner)
    return partners


def platform_partner():
    from partners.models import Partner

    return Partner.objects.create(
        code="P9000",
        legal_name="Bench Account Platform",
        uscc="914113810000090000",
        kind="account_platform",
        contact_name="Bench",
        contact_email="bench@platform.example",
        dpo_name="Bench",
        dpo_email="dpo@platform.example",
        address="1 Bench Road",
        status="approved",
        status_changed_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=400),
    )


# One session per k, at t(k); its two reads a minute and two later. Ledger seq 3k is
# the session, 3k+1 and 3k+2 the reads.
_TIMES = """
    WITH g AS (
        SELECT k, (k::bigint * %(days)s) / %(sessions)s AS d,
               ((k::bigint * %(days)s) %% %(sessions)s)::float8 / %(sessions)s AS f
        FROM generate_series(0, %(sessions)s - 1) AS k
    )
    SELECT k, %(start)s::timestamptz + d * interval '1 day' + interval '1 hour'
              + f * interval '8 hours' AS t
    FROM g
"""


def load_partner(
    cursor, partner, *, start: dt.datetime, id_base: int, seq_base_platform: int, platform_log: str
) -> tuple[int, int]:
    """Ledger entries, sessions, reads and account events of one partner; (ids used, accounts)."""
    sessions = EVENTS_PER_PARTNER // 2
    params = {
        "days": DAYS,
        "sessions": sessions,
        "start": start,
        "base": id_base,
        "log": partner.code,
        "pid": partner.pk,
        "agents": AGENTS,
        "pbase": seq_base_platform,
        "plog": platform_log,
        "every": ACCOUNT_EVERY,
        "psession_base": id_base + 3 * sessions,
    }
    cursor.execute(
        f"""
        INSERT INTO ledger_ledgerentry (id, log_id, seq, recorded_at, kind, canonical, leaf_hash, signature, key_id)
        SELECT %(base)s + 3 * k + r, %(log)s, 3 * k + r, t + r * interval '1 minute',
               CASE WHEN r = 0 THEN 'session.opened' ELSE 'access.recorded' END,
               '{{}}', decode(md5(%(log)s || ':' || (3 * k + r)), 'hex'), '\\x00'::bytea, 'bench000'
        FROM ({_TIMES}) AS s CROSS JOIN generate_series(0, 2) AS r
        """,
        params,
    )
    cursor.execute(
        f"""
        INSERT INTO ingestion_enrolmentsession (id, test, violations, client_session_id, agent_code,
            identity_ref, id_region_code, birth_year, purpose, region_code, device_ref, consent_ref,
            opened_at, closed_at, outcome, agent_id, close_entry_id, ledger_entry_id, ledger_seq,
            partner_id)
        SELECT md5(%(log)s || ':s' || k)::uuid, false, '', 's' || k,
               'A-' || lpad(((k %% %(agents)s) + 1)::text, 4, '0'),
               md5('r' || %(log)s || k) || md5('R' || %(log)s || k), '411381',
               1930 + (k * 7919 %% 75), 'card_activation', '411381',
               md5('tablet' || %(log)s || (k %% %(agents)s)) || md5('T' || (k %% %(agents)s)), '',
               t, t + interval '10 minutes', 'completed', NULL, NULL, %(base)s + 3 * k, 3 * k, %(pid)s
        FROM ({_TIMES}) AS s
        """,
        params,
    )
    cursor.execute(
        f"""
        INSERT INTO ingestion_accessevent (test, violations, client_event_id, agent_code, identity_ref,
            id_region_code, birth_year, fields, purpose, occurred_at, device_ref, recorded_at,
            agent_id, ledger_entry_id, ledger_seq, partner_id, session_id)
        SELECT false, '', 'e' || k || '-' || r, 'A-' || lpad(((k %% %(agents)s) + 1)::text, 4, '0'),
               md5('r' || %(log)s || k) || md5('R' || %(log)s || k), '411381', 1930 + (k * 7919 %% 75),
               CASE WHEN r = 1 THEN '["name", "id_number"]'::jsonb ELSE '["phone"]'::jsonb END,
               'card_activation', t + r * interval '1 minute',
               md5('tablet' || %(log)s || (k %% %(agents)s)) || md5('T' || (k %% %(agents)s)),
               t + r * interval '1 minute', NULL, %(base)s + 3 * k + r, 3 * k + r, %(pid)s,
               md5(%(log)s || ':s' || k)::uuid
        FROM ({_TIMES}) AS s CROSS JOIN generate_series(1, 2) AS r
        """,
        params,
    )
    accounts = sessions // ACCOUNT_EVERY
    # The platform's entries: seqs continue from the previous partner's; times hours to
    # days after the session, never in the future.
    cursor.execute(
        f"""
        WITH a AS (
            SELECT k, k / %(every)s AS j,
                   LEAST(t + (2 + (k * 31 %% 70)) * interval '1 hour', now() - interval '1 minute') AS at
            FROM ({_TIMES}) AS s WHERE k %% %(every)s = 0
        ), e AS (
            INSERT INTO ledger_ledgerentry (id, log_id, seq, recorded_at, kind, canonical, leaf_hash,
                signature, key_id)
            SELECT %(psession_base)s + j, %(plog)s, %(pbase)s + j, at, 'account.recorded', '{{}}',
                   decode(md5(%(plog)s || ':' || (%(pbase)s + j)), 'hex'), '\\x00'::bytea, 'bench000'
            FROM a
            RETURNING id
        )
        INSERT INTO ingestion_accountevent (test, violations, client_event_id, identity_ref,
            id_region_code, birth_year, action, account_ref, occurred_at, device_ref, phone_ref,
            channel, recorded_at, ledger_entry_id, ledger_seq, partner_id)
        SELECT false, '', %(log)s || '-a' || k, md5('r' || %(log)s || k) || md5('R' || %(log)s || k),
               '411381', 1930 + (k * 7919 %% 75), 'opened', md5('acct' || %(log)s || k),
               at, md5('dev' || %(log)s || k) || md5('D' || k), md5('ph' || %(log)s || k) || md5('P' || k),
               'app', at, %(psession_base)s + j, %(pbase)s + j,
               (SELECT id FROM partners_partner WHERE code = %(plog)s)
        FROM a
        """,
        params,
    )
    return 3 * sessions + accounts, accounts


def load(
    partners: list, platform, *, start: dt.datetime, id_base: int, platform_size: int
) -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute(
            "INSERT INTO ledger_log (log_id, size, last_recorded_at, created_at) "
            "VALUES (%s, 0, now(), now()) ON CONFLICT (log_id) DO NOTHING",
            [platform.code],
        )
        for partner in partners:
            cursor.execute(
                "INSERT INTO ledger_log (log_id, size, last_recorded_at, created_at) "
                "VALUES (%s, %s, now(), now())",
                [partner.code, 3 * (EVENTS_PER_PARTNER // 2)],
            )
            used, accounts = load_partner(
                cursor,
                partner,
                start=start,
                id_base=id_base,
                seq_base_platform=platform_size,
                platform_log=platform.code,
            )
            id_base += used
            platform_size += accounts
            print(f"  loaded {partner.code}", flush=True)
        cursor.execute(
            "UPDATE ledger_log SET size = %s WHERE log_id = %s", [platform_size, platform.code]
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('ledger_ledgerentry', 'id'), %s)", [id_base]
        )
    vacuum()
    return id_base, platform_size


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "ledger_ledgerentry",
            "ingestion_enrolmentsession",
            "ingestion_accessevent",
            "ingestion_accountevent",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")


def reset_detection() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE detection_alertnote, detection_alert, detection_watermark")


def time_detection(rules: list[str] | None = None) -> tuple[float, dict]:
    from auditsvc.detection.services import run_detection

    started = time.perf_counter()
    summary = run_detection(rules=rules or None)
    return time.perf_counter() - started, {
        "examined": summary.entries_examined,
        "alerts": summary.alerts_created,
    }


def per_rule(skip: list[str]) -> dict[str, float]:
    from auditsvc.detection.rules import RULES

    seconds = {}
    for code in [code for code in RULES if code not in skip]:
        reset_detection()
        seconds[code], _ = time_detection([code])
    return seconds


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "postgresql": server,
        "shared_buffers": buffers,
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DETECTION_URL", DEFAULT_URL)
    )
    parser.add_argument(
        "--partners",
        type=int,
        nargs=2,
        default=[10, 50],
        help="partners at the first and second size (100,000 reads each)",
    )
    parser.add_argument("--no-per-rule", action="store_true", help="skip the per-rule timings")
    parser.add_argument(
        "--skip-rules", nargs="*", default=[], metavar="RULE", help="leave these rules out"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the rules over the records already in the database (no loading)",
    )
    args = parser.parse_args()
    database_name(args.database_url)
    key_dir = tempfile.mkdtemp(prefix="bench-detection-keys-")
    if args.reuse:
        environment(args.database_url, key_dir)
        setup_django()
        results = {"machine": machine(), "sizes": [timed(args)]}
        save(results)
        return
    recreate(args.database_url)
    environment(args.database_url, key_dir)
    migrate()
    setup_django()

    today = dt.datetime.now(dt.UTC)
    start = (today - dt.timedelta(days=DAYS + 1)).replace(
        hour=16, minute=0, second=0, microsecond=0
    )
    platform_row = platform_partner()
    results = {"machine": machine(), "sizes": []}
    first, second = args.partners
    id_base, platform_size, made = 1, 0, 0
    for count in (first, second):
        began = time.perf_counter()
        partners = make_partners(made + 1, count - made)
        id_base, platform_size = load(
            partners, platform_row, start=start, id_base=id_base, platform_size=platform_size
        )
        made = count
        load_seconds = time.perf_counter() - began
        events = count * EVENTS_PER_PARTNER
        reset_detection()
        from auditsvc.detection.rules import RULES

        rules = [code for code in RULES if code not in args.skip_rules]
        seconds, summary = time_detection(rules)
        entry = {
            "access_events": events,
            "partners": count,
            "load_seconds": round(load_seconds, 1),
            "detection_seconds": round(seconds, 1),
            "seconds_per_million": round(seconds / (events / 1e6), 1),
            **summary,
        }
        if not args.no_per_rule:
            entry["per_rule_seconds"] = {
                k: round(v, 2) for k, v in per_rule(args.skip_rules).items()
            }
        results["sizes"].append(entry)
        print(
            f"{events:>10,} access events ({count} partners): detection {seconds:.1f} s, "
            f"{entry['seconds_per_million']} s per million; loaded in {load_seconds:.0f} s",
            flush=True,
        )
        if "per_rule_seconds" in entry:
            for rule, s in sorted(entry["per_rule_seconds"].items(), key=lambda kv: -kv[1]):
                print(f"    {rule:32} {s:8.2f} s")
    small, large = results["sizes"]
    results["growth"] = round(large["detection_seconds"] / small["detection_seconds"], 2)
    results["size_ratio"] = large["access_events"] / small["access_events"]
    print(f"time ratio {results['growth']} for {results['size_ratio']:.0f}x the events")
    save(results)


def timed(args) -> dict:
    """``--reuse``: every rule, then each rule alone, over the records already loaded."""
    from auditsvc.detection.rules import RULES
    from auditsvc.ingestion.models import AccessEvent

    events = AccessEvent.objects.filter(test=False).count()
    partners = AccessEvent.objects.values("partner_id").distinct().count()
    reset_detection()
    seconds, summary = time_detection([c for c in RULES if c not in args.skip_rules])
    entry = {
        "access_events": events,
        "partners": partners,
        "detection_seconds": round(seconds, 1),
        "seconds_per_million": round(seconds / (events / 1e6), 1),
        **summary,
    }
    print(
        f"{events:>10,} access events ({partners} partners): detection {seconds:.1f} s, "
        f"{entry['seconds_per_million']} s per million",
        flush=True,
    )
    if not args.no_per_rule:
        entry["per_rule_seconds"] = {k: round(v, 2) for k, v in per_rule(args.skip_rules).items()}
        for rule, s in sorted(entry["per_rule_seconds"].items(), key=lambda kv: -kv[1]):
            print(f"    {rule:32} {s:8.2f} s")
    return entry


def save(results: dict) -> None:
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    path = out / f"detection-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2))
    print(f"written {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
