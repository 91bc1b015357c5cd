"""Entries checked in blocks over several processes: same verdict, first bad seq still named."""

from __future__ import annotations

import os

import pytest

from auditsvc.core.keys import SigningKey
from auditsvc.verifier import chunks, verify, verify_bundle

from .crafted import CraftedLog


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate("audit.ybj.example")


@pytest.fixture(scope="module")
def log(key) -> CraftedLog:
    return CraftedLog(key).append(600)


@pytest.fixture
def small_blocks(monkeypatch):
    # Many blocks of a few entries each, so that two workers share the file.
    monkeypatch.setattr(chunks, "BLOCK_SIZE", 4096)
    monkeypatch.setattr(verify, "BLOCK_SIZE", 4096)


def test_two_processes_verify_what_one_does(log, key, tmp_path, small_blocks):
    path = log.export(10, 590).write(tmp_path / "b.zip")

    one = verify_bundle(str(path), [key.verifier()], jobs=1)
    two = verify_bundle(str(path), [key.verifier()], jobs=2)

    assert one.ok and two.ok, (one.verdict(), two.verdict())
    assert one.root == two.root
    assert two.entries == 580


def test_two_processes_name_the_first_bad_seq(log, key, tmp_path, small_blocks):
    bundle = log.export(10, 590)
    records = bundle.lines()
    for position in (400, 250):
        records[position]["entry"]["body"]["n"] = -1
    bundle.set_lines(records)
    path = bundle.seal(key).write(tmp_path / "b.zip")

    report = verify_bundle(str(path), [key.verifier()], jobs=2)

    assert report.failure.check == "entry_altered"
    assert report.failure.seq == 260


def test_entries_out_of_time_order_across_blocks_are_refused(log, key, tmp_path, small_blocks):
    bundle = log.export(0, 600)
    lines = bundle.files["entries.jsonl"].splitlines(keepends=True)
    # A genuine entry, but at the wrong place: the seq check names it first.
    lines[300], lines[301] = lines[301], lines[300]
    bundle.files["entries.jsonl"] = b"".join(lines)
    path = bundle.seal(key).write(tmp_path / "b.zip")

    report = verify_bundle(str(path), [key.verifier()], jobs=2)

    assert report.failure.check == "sequence"
    assert report.failure.seq == 300


@pytest.mark.skipif(
    not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="needs an OS with CPU affinity and two usable CPUs",
)
def test_the_default_job_count_follows_the_cpus_this_process_may_use():
    # So that `taskset -c 0 auditsvc-verify ...` starts one process, not one per CPU.
    mask = os.sched_getaffinity(0)
    first = min(mask)
    try:
        os.sched_setaffinity(0, {first})
        assert chunks.usable_cpus() == [first]
    finally:
        os.sched_setaffinity(0, mask)
    assert chunks.usable_cpus() == sorted(mask)
