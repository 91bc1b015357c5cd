"""Offline verifier benchmark: verify a bundle of 1 million entries, with and without signatures.

Run with ``make bench`` (or ``.venv/bin/python bench/verify.py --help``). One run:

1. builds (or reuses, from ``bench/results/``) a bundle in DESIGN.md's format
   of ``--entries`` access-event entries (default 1,000,000) plus a fence post
   on each side, written directly with the core (canonical bytes, leaf
   hashes, Ed25519 entry signatures, range proof, signed checkpoint and
   manifest): no database, so it takes a minute or two, not an export run;
2. verifies it in full on every core (``verify_bundle``, what
   ``auditsvc-verify`` runs), counting the CPU time of this process and its
   workers: entries/s on the clock, per core (clock rate / cores) and per
   CPU-second (what one core does, however busy the machine is);
3. verifies it with ``fast`` (no entry signatures);
4. times only SHA-256 over the same bytes: the entries file streamed out of
   the zip and hashed whole, and each line hashed on its own;
5. times Ed25519 verification alone on one core (the ceiling of step 2);
6. prints a table and writes ``bench/results/verify-<entries>-<time>.json``.

Targets (issue 10): full verification at least 6,000 entries/s per core on
all cores, ``--fast`` at least 60,000 entries/s. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditsvc.core import merkle, notes  # noqa: E402
from auditsvc.core.canonical import (  # noqa: E402
    b64encode,
    canonical_bytes,
    entry_bytes,
    format_time,
)
from auditsvc.core.keys import SigningKey, sign_entry  # noqa: E402
from auditsvc.verifier import verify_bundle  # noqa: E402

RESULTS_DIR = ROOT / "bench" / "results"
ORIGIN = "audit.ybj.example"
LOG = "P0001"
START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
TARGET_FULL_PER_CORE = 6000
TARGET_FAST = 60000
CHUNK = 10000

_key: SigningKey | None = None


def _init(private: str) -> None:
    global _key
    _key = SigningKey.from_private_string(private)


def _recorded_at(seq: int) -> str:
    # Ten entries a second: a busy partner's log.
    return format_time(START + dt.timedelta(milliseconds=100 * seq))


def _make_lines(first: int, count: int) -> tuple[bytes, bytes]:
    """Lines (as the exports writer writes them) and leaf hashes of entries first..first+count-1."""
    assert _key is not None
    lines, leaves = [], []
    for seq in range(first, first + count):
        digest = hashlib.sha256(seq.to_bytes(8, "big")).hexdigest()
        body = {
            "client_event_id": f"e-{seq}",
            "agent": f"A-{seq % 50:04d}",
            "session": str(uuid.UUID(digest[:32])),
            "identity_ref": digest,
            "region_code": "411381",
            "birth_year": 1940 + seq % 60,
            "fields": ["id_number", "name", "phone"],
            "purpose": "card_activation",
            "occurred_at": _recorded_at(seq),
            "device_ref": hashlib.sha256(digest.encode()).hexdigest(),
            "violations": [],
        }
        canonical = entry_bytes(LOG, seq, _recorded_at(seq), "access_event", body)
        leaf = merkle.leaf_hash(canonical)
        signature = b64encode(sign_entry(_key, leaf))
        lines.append(
            b'{"entry":'
            + canonical
            + b',"key_id":"'
            + _key.key_id.encode()
            + b'","leaf_hash":"'
            + leaf.hex().encode()
            + b'","signature":"'
            + signature.encode()
            + b'"}\n'
        )
        leaves.append(leaf)
    return b"".join(lines), b"".join(leaves)


def build_bundle(path: Path, entries: int, key: SigningKey) -> None:
    """Write a bundle of ``entries`` entries (seqs 1..entries), fence posts 0 and entries + 1."""
    size = entries + 2
    range_from, range_to = _recorded_at(1), _recorded_at(entries + 1)
    leaves: list[bytes] = []
    digests: dict[str, str] = {}
    started = time.perf_counter()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        fences = []
        with (
            mp.Pool(os.cpu_count(), initializer=_init, initargs=(key.private_string(),)) as pool,
            archive.open("entries.jsonl", "w", force_zip64=True) as member,
        ):
            digest = hashlib.sha256()
            jobs = [(first, min(CHUNK, size - first)) for first in range(0, size, CHUNK)]
            for number, (text, hashes) in enumerate(pool.starmap(_make_lines, jobs, chunksize=1)):
                lines = text.splitlines(keepends=True)
                leaves.extend(hashes[i : i + 32] for i in range(0, len(hashes), 32))
                if number == 0:
                    fences.append(lines.pop(0))
                if number == len(jobs) - 1:
                    fences.append(lines.pop())
                chunk = b"".join(lines)
                digest.update(chunk)
                member.write(chunk)
            digests["entries.jsonl"] = digest.hexdigest()
        print(f"  built {entries:,} signed entries in {time.perf_counter() - started:.0f} s")

        root = merkle.root_from_range(0, leaves, size, {})
        files = {
            "fenceposts.jsonl": b"".join(fences),
            # The fence posts are the log's first and last entries: no node is needed.
            "proof.json": canonical_bytes({"tree_size": size, "nodes": []}),
            "checkpoint.txt": notes.sign_note(
                notes.checkpoint_text(f"{ORIGIN}/{LOG}", size, root), [key]
            ).encode(),
            "keys.json": canonical_bytes(
                {
                    "keys": [
                        {
                            "key_id": key.key_id,
                            "name": key.name,
                            "algorithm": "ed25519",
                            "public_key": b64encode(key.public_key),
                            "verifier_key": key.verifier_string(),
                        }
                    ]
                }
            ),
        }
        for name, data in files.items():
            archive.writestr(name, data)
            digests[name] = hashlib.sha256(data).hexdigest()
        manifest = {
            "format": "auditsvc-bundle/1",
            "origin": ORIGIN,
            "log": LOG,
            "partner": {"code": LOG, "name": "Bench Partner"},
            "range": {"from": range_from, "to": range_to},
            "first_seq": 1,
            "last_seq": entries,
            "count": entries,
            "tree_size": size,
            "previous_size": None,
            "files": dict(sorted(digests.items())),
            "created_at": _recorded_at(size + 10),
            "requested_by": None,
            "key_id": key.key_id,
        }
        data = canonical_bytes(manifest)
        archive.writestr("manifest.json", data)
        archive.writestr("manifest.sig", b64encode(key.sign(data)) + "\n")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            return next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        return platform.processor() or "?"


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def timed_verify(path: Path, key: SigningKey, **kwargs) -> dict[str, float]:
    """One verification: clock, CPU of all its processes, and of the main process alone."""
    own, children = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    clock = time.perf_counter()
    report = verify_bundle(str(path), [key.verifier()], **kwargs)
    clock = time.perf_counter() - clock
    own, children = _cpu(resource.RUSAGE_SELF) - own, _cpu(resource.RUSAGE_CHILDREN) - children
    if not report.ok:
        raise SystemExit(f"the bench bundle did not verify: {report.verdict()}")
    return {
        "seconds": clock,
        "cpu_seconds": own + children,
        "main_cpu_seconds": own,
        "entries": report.entries,
    }


def timed_hashing(path: Path) -> dict[str, float]:
    started = time.perf_counter()
    digest, total, lines = hashlib.sha256(), 0, 0
    with zipfile.ZipFile(path) as archive, archive.open("entries.jsonl") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
            total += len(block)
    streamed = time.perf_counter() - started
    with zipfile.ZipFile(path) as archive:
        data = archive.read("entries.jsonl")
    started = time.perf_counter()
    for line in data.splitlines():
        hashlib.sha256(b"\x00" + line).digest()
        lines += 1
    per_line = time.perf_counter() - started
    return {
        "bytes": total,
        "lines": lines,
        "stream_seconds": streamed,
        "per_line_seconds": per_line,
    }


def timed_signatures(path: Path, key: SigningKey, count: int = 5000) -> dict[str, float]:
    """Ed25519 verification alone, on this process's core: the ceiling of full verification."""
    from auditsvc.core.canonical import b64decode_strict
    from auditsvc.core.keys import verify_entry

    pairs = []
    with zipfile.ZipFile(path) as archive, archive.open("entries.jsonl") as stream:
        for raw in stream:
            record = json.loads(raw)
            pairs.append(
                (bytes.fromhex(record["leaf_hash"]), b64decode_strict(record["signature"]))
            )
            if len(pairs) == count:
                break
    verifier = key.verifier()
    started = time.process_time()
    for leaf, signature in pairs:
        assert verify_entry(verifier, leaf, signature)
    return {"signatures": count, "cpu_seconds": time.process_time() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="build the bundle again")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="verifier processes")
    options = parser.parse_args()

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"verify-bundle-{options.entries}.zip"
    key_path = RESULTS_DIR / f"verify-bundle-{options.entries}.key"
    if options.rebuild or not (path.exists() and key_path.exists()):
        print(f"building a bundle of {options.entries:,} entries in {path} ...")
        key = SigningKey.generate(ORIGIN)
        build_bundle(path, options.entries, key)
        key_path.write_text(key.private_string())
        key_path.chmod(0o600)
    key = SigningKey.from_private_string(key_path.read_text())
    cores = options.jobs

    print(f"verifying {path.name} ({path.stat().st_size / 1e6:.0f} MB) on {cores} cores ...")
    load_at_start = os.getloadavg()
    full = timed_verify(path, key, jobs=cores)
    fast = timed_verify(path, key, jobs=cores, fast=True)
    hashing = timed_hashing(path)
    signatures = timed_signatures(path, key)
    n = full["entries"]
    results = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {_cpu_model()}",
        # Other work on the machine slows the clock figures, not the per-CPU-second ones.
        "load_average_at_start": load_at_start,
        "load_average_at_end": os.getloadavg(),
        "python": platform.python_version(),
        "entries": n,
        "bundle_bytes": path.stat().st_size,
        "entries_file_bytes": hashing["bytes"],
        "jobs": cores,
        "full": {
            **full,
            "entries_per_second": n / full["seconds"],
            "per_core": n / full["seconds"] / cores,
            "per_cpu_second": n / full["cpu_seconds"],
        },
        "fast": {
            **fast,
            "entries_per_second": n / fast["seconds"],
            "per_cpu_second": n / fast["cpu_seconds"],
        },
        "ed25519_verify_only": {
            **signatures,
            "per_cpu_second": signatures["signatures"] / signatures["cpu_seconds"],
        },
        "sha256_only": {
            **hashing,
            "stream_entries_per_second": n / hashing["stream_seconds"],
            "per_line_entries_per_second": n / hashing["per_line_seconds"],
        },
    }
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    out = RESULTS_DIR / f"verify-{n}-{stamp}.json"
    out.write_text(json.dumps(results, indent=2))

    f, q, h = results["full"], results["fast"], results["sha256_only"]
    e = results["ed25519_verify_only"]
    print(f"\n{'':34}{'seconds':>10}{'entries/s':>12}{'per core':>12}{'per CPU-s':>12}")
    print(
        f"{'full (signatures, all cores)':34}{f['seconds']:10.1f}{f['entries_per_second']:12,.0f}"
        f"{f['per_core']:12,.0f}{f['per_cpu_second']:12,.0f}"
        f"   target >= {TARGET_FULL_PER_CORE:,}/core"
    )
    print(
        f"{'--fast (no signatures)':34}{q['seconds']:10.1f}{q['entries_per_second']:12,.0f}"
        f"{'':12}{q['per_cpu_second']:12,.0f}   target >= {TARGET_FAST:,}/s"
    )
    print(f"{'  of which the main process (CPU s)':34}{q['main_cpu_seconds']:10.1f}")
    print(
        f"{'SHA-256 of entries.jsonl (unzip)':34}{h['stream_seconds']:10.1f}"
        f"{h['stream_entries_per_second']:12,.0f}"
    )
    print(
        f"{'SHA-256 of each line alone':34}{h['per_line_seconds']:10.1f}"
        f"{h['per_line_entries_per_second']:12,.0f}"
    )
    print(
        f"{'Ed25519 verify alone (one core)':34}{'':10}{'':12}{'':12}{e['per_cpu_second']:12,.0f}"
    )
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
