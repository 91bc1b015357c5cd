"""Where one detection rule spends its time: each query over one partner's whole log.

Run against the database ``bench/detection.py`` loaded (it is not dropped)::

    .venv/bin/python bench/explain_rule.py elderly_concentration --partner P0003
    .venv/bin/python bench/explain_rule.py account_opened_near_session --stock-settings --explain 1

It runs the rule's ``findings`` over the partner's log from its first entry
to its head, in one transaction with ``DETECTION_POSTGRES_SETTINGS`` (as a
detection step does; ``--stock-settings`` leaves the server's own, JIT
included), and prints the total, the time in SQL, and the slowest queries
grouped by their text. ``--explain N`` adds ``EXPLAIN (ANALYZE, BUFFERS)``
of the N slowest. The figures of docs/performance.md, "Detection over 1 and
5 million events", that name a query's plan come from this script.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import detection as bench  # the loader's environment and settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rule")
    parser.add_argument("--partner", default="P0001", help="partner code (default P0001)")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DETECTION_URL", bench.DEFAULT_URL)
    )
    parser.add_argument("--explain", type=int, default=0, metavar="N")
    parser.add_argument("--stock-settings", action="store_true")
    args = parser.parse_args()
    bench.database_name(args.database_url)
    bench.environment(args.database_url, tempfile.mkdtemp(prefix="bench-explain-keys-"))
    bench.setup_django()

    from django.db import connection, transaction

    from auditsvc.detection.rules import RULES, Scope, shared_in_run
    from auditsvc.detection.services.engine import apply_postgres_settings
    from auditsvc.ledger.models import Log
    from partners.models import Partner

    rule = RULES[args.rule]
    partner = Partner.objects.get(code=args.partner)
    head = Log.objects.get(log_id=partner.code).size - 1
    scope = Scope(partner=partner, log_id=partner.code, after=-1, upto=head)
    queries: dict[str, list] = collections.defaultdict(lambda: [0, 0.0, None])

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = queries[sql]
            entry[0] += 1
            entry[1] += time.perf_counter() - started
            entry[2] = params

    with transaction.atomic():
        if not args.stock_settings:
            apply_postgres_settings()
        started = time.perf_counter()
        with shared_in_run(), connection.execute_wrapper(timed):
            findings = list(rule.findings(scope))
        total = time.perf_counter() - started
        in_sql = sum(seconds for _count, seconds, _params in queries.values())
        print(
            f"{args.rule} over {partner.code} (seqs 0..{head}): {total:.2f} s, "
            f"{in_sql:.2f} s in {sum(c for c, _s, _p in queries.values())} queries, "
            f"{len(findings)} findings"
        )
        slowest = sorted(queries.items(), key=lambda item: -item[1][1])
        for position, (sql, (count, seconds, params)) in enumerate(slowest[:5]):
            print(f"\n{seconds:7.3f} s  {count:4d}x  {sql[:300]}")
            if position < args.explain:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                    print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
