"""Alerts over a simulated month: counts by rule and severity, ordinary partners and with a ring.

For each seed, in a fresh SQLite database of its own under var/bench/ (the
embedded default; detection runs the same SQL there), it runs
``migrate``, ``seed_demo --days DAYS+5``, ``simulate --days DAYS --seed S``
(with ``--ring`` for the ring runs) and ``run_detection``, then counts the
alerts by rule and severity. It prints a Markdown table per case and writes
bench/results/alert-counts-<date>.json.

    .venv/bin/python bench/alert_counts.py          # seeds 1 2 3, ring seeds 1 2, 30 days
    .venv/bin/python bench/alert_counts.py --seeds 1 --ring-seeds 1 --days 14
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEVERITIES = ("low", "medium", "high", "critical")


def one_run(days: int, seed: int, ring: bool) -> dict:
    """Runs in a child process: the commands, then the counts as JSON on the last line."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    django.setup()
    from django.core.management import call_command

    from auditsvc.detection.models import Alert

    quiet = open(os.devnull, "w")  # noqa: SIM115 - closed with the process
    call_command("migrate", "--no-input", verbosity=0)
    call_command("seed_demo", "--json", "--days", str(days + 5), stdout=quiet)
    args = ["--days", str(days), "--seed", str(seed), "--json"]
    out = io.StringIO()
    call_command("simulate", *args, *(["--ring"] if ring else []), stdout=out, stderr=quiet)
    simulated = json.loads(out.getvalue())
    started = time.perf_counter()
    call_command("run_detection", "--no-progress", stdout=quiet, stderr=quiet)
    detection_seconds = time.perf_counter() - started
    counts: dict[str, dict[str, int]] = collections.defaultdict(dict)
    for rule, severity, n in Alert.objects.values_list("rule", "severity").annotate(
        n=django.db.models.Count("id")
    ):
        counts[rule][severity] = n
    return {
        "seed": seed,
        "ring": ring,
        "days": days,
        "records": simulated["records"],
        "detection_seconds": round(detection_seconds, 1),
        "alerts": counts,
    }


def run(days: int, seed: int, ring: bool, workdir: Path) -> dict:
    database = workdir / f"month-{'ring' if ring else 'ordinary'}-{seed}.sqlite3"
    database.unlink(missing_ok=True)
    keys = workdir / "keys"
    keys.mkdir(mode=0o700, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{database}",
        "AUDITSVC_KEY_DIR": str(keys),
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    env.pop("REDIS_URL", None)
    child = [sys.executable, __file__, "--one", str(days), str(seed), str(int(ring))]
    done = subprocess.run(child, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"seed {seed} ring={ring} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(results: list[dict]) -> str:
    rules = sorted({rule for r in results for rule in r["alerts"]})
    seeds = ", ".join(str(r["seed"]) for r in results)
    lines = [
        f"| rule (seeds {seeds}) | " + " | ".join(SEVERITIES) + " |",
        "| --- | " + " | ".join("---" for _ in SEVERITIES) + " |",
    ]
    for rule in rules:
        cells = []
        for severity in SEVERITIES:
            per_seed = [r["alerts"].get(rule, {}).get(severity, 0) for r in results]
            cells.append(" / ".join(str(n) for n in per_seed) if any(per_seed) else "0")
        lines.append(f"| `{rule}` | " + " | ".join(cells) + " |")
    if not rules:
        lines.append("| (no alert) | " + " | ".join("0" for _ in SEVERITIES) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--ring-seeds", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--one", type=int, nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        days, seed, ring = args.one
        print(json.dumps(one_run(days, seed, bool(ring))))
        return
    workdir = ROOT / "var" / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    results = {"ordinary": [], "ring": []}
    for ring, seeds in ((False, args.seeds), (True, args.ring_seeds)):
        for seed in seeds:
            started = time.perf_counter()
            result = run(args.days, seed, ring, workdir)
            result["wall_seconds"] = round(time.perf_counter() - started, 1)
            results["ring" if ring else "ordinary"].append(result)
            print(
                f"seed {seed} ring={ring}: {result['records']}, {result['wall_seconds']} s",
                flush=True,
            )
    for case, found in results.items():
        if found:
            print(f"\n{case} ({args.days} days)\n\n{table(found)}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    path = out / f"alert-counts-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2))
    print(f"\nwritten {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
