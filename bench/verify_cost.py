"""Instructions per entry of the offline verifier beside bare Ed25519, counted by callgrind.

The clock figures of ``bench/verify.py`` move by 10-25% on a shared VM from
one minute to the next, because the machine's speed does. Callgrind counts
instructions, which repeat exactly for the same code and input, so this
bench answers the question the clock cannot: how much work the verifier
adds to the Ed25519 checks it cannot avoid. One run:

1. builds two small bundles (``--small`` and ``--large`` entries, default 500
   and 1,500) in ``bench/results/`` with ``bench/verify.py``'s builder;
2. runs ``verify_bundle`` on each in one process, with and without entry
   signatures, under ``valgrind --tool=callgrind``;
3. runs bare Ed25519 verification of the same signatures (``verify_entry``
   over the leaf hashes, less the count of reading them) under callgrind;
4. divides the difference between the two sizes by the difference in
   entries, so that start-up and imports cancel out;
5. prints a table and writes ``bench/results/verify-cost-<time>.json``.

Needs valgrind (``apt-get install -y valgrind``); takes about two minutes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditsvc.core.canonical import b64decode_strict  # noqa: E402
from auditsvc.core.keys import SigningKey, verify_entry  # noqa: E402
from auditsvc.verifier import verify_bundle  # noqa: E402

RESULTS_DIR = ROOT / "bench" / "results"
_COLLECTED = re.compile(rb"Collected : (\d+)")


def _pairs(bundle: Path) -> list[tuple[bytes, bytes]]:
    """(leaf hash, signature) of every line of the bundle's entries.jsonl."""
    with zipfile.ZipFile(bundle) as archive, archive.open("entries.jsonl") as stream:
        records = [json.loads(line) for line in stream]
    return [
        (bytes.fromhex(record["leaf_hash"]), b64decode_strict(record["signature"]))
        for record in records
    ]


def child(mode: str, bundle: Path, key_path: Path) -> None:
    """What callgrind counts: one whole verification, or the bare signature checks."""
    key = SigningKey.from_private_string(key_path.read_text())
    if mode in ("ed25519", "parse"):
        verifier, pairs = key.verifier(), _pairs(bundle)
        # "parse" is subtracted from "ed25519", which leaves the checks alone.
        if mode == "ed25519" and not all(verify_entry(verifier, *pair) for pair in pairs):
            raise SystemExit("a bench signature did not verify")
        return
    report = verify_bundle(str(bundle), [key.verifier()], fast=mode == "fast", jobs=1)
    if not report.ok:
        raise SystemExit(f"the bench bundle did not verify: {report.verdict()}")


def instructions(mode: str, bundle: Path, key_path: Path) -> int:
    """Instructions callgrind counted for one child run."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--child",
        mode,
        str(bundle),
        str(key_path),
    ]
    done = subprocess.run(command, capture_output=True, check=False)
    found = _COLLECTED.search(done.stderr)
    if done.returncode or found is None:
        raise SystemExit(f"callgrind run failed ({mode}, {bundle.name}):\n{done.stderr.decode()}")
    return int(found.group(1))


def bundle_of(entries: int) -> tuple[Path, Path]:
    """A bench bundle of ``entries`` entries and its key file, built once."""
    from verify import ORIGIN, build_bundle

    path = RESULTS_DIR / f"verify-bundle-{entries}.zip"
    key_path = RESULTS_DIR / f"verify-bundle-{entries}.key"
    if not (path.exists() and key_path.exists()):
        key = SigningKey.generate(ORIGIN)
        build_bundle(path, entries, key)
        key_path.write_text(key.private_string())
        key_path.chmod(0o600)
    return path, key_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--large", type=int, default=1500)
    parser.add_argument(
        "--child", nargs=3, metavar=("MODE", "BUNDLE", "KEY"), help=argparse.SUPPRESS
    )
    options = parser.parse_args()
    if options.child:
        mode, bundle, key_path = options.child
        child(mode, Path(bundle), Path(key_path))
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install -y valgrind")
    if options.large <= options.small:
        raise SystemExit("--large must be more entries than --small")

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    small, large = bundle_of(options.small), bundle_of(options.large)
    extra = options.large - options.small
    per_entry = {}
    for mode in ("full", "fast", "ed25519", "parse"):
        print(f"counting instructions: {mode} ...", flush=True)
        counts = [instructions(mode, *small), instructions(mode, *large)]
        per_entry[mode] = (counts[1] - counts[0]) / extra
    per_entry["ed25519"] -= per_entry.pop("parse")
    full, fast, bare = per_entry["full"], per_entry["fast"], per_entry["ed25519"]
    results = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "entries": [options.small, options.large],
        "instructions_per_entry": per_entry,
        "full_over_ed25519": full / bare,
    }
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    out = RESULTS_DIR / f"verify-cost-{stamp}.json"
    out.write_text(json.dumps(results, indent=2))

    print(f"\n{'instructions per entry':34}{'count':>14}{'vs Ed25519':>12}")
    print(f"{'full verification (one process)':34}{full:14,.0f}{full / bare:12.3f}")
    print(f"{'--fast (no signatures)':34}{fast:14,.0f}{fast / bare:12.3f}")
    print(f"{'bare Ed25519 verify_entry':34}{bare:14,.0f}{1:12.3f}")
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
