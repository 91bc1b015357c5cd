"""Checking ``entries.jsonl`` in chunks, spread over all cores.

The main process streams the file out of the zip (hashing it for the
manifest as it goes) and hands blocks of whole lines to worker processes;
each worker checks its lines (``records.check_line``: canonical form, leaf
hash, signature, seq, log, time order and range) and returns the leaf
hashes, which the main process folds, in order, into a compact range (a few
dozen subtree hashes, however long the file) to rebuild the tree root.
Ed25519 verification dominates the cost, so this is where the cores help.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import IO

from auditsvc.core import merkle

from .errors import VerificationFailed
from .records import LineRefused, LineRules, check_line

__all__ = [
    "ChunkOutcome",
    "EntriesOutcome",
    "check_chunk",
    "check_entries",
    "usable_cpus",
]

ENTRIES_FILE = "entries.jsonl"
#: Bytes read per block; a block of ~1,400 typical entries keeps workers busy and memory small.
BLOCK_SIZE = 1 << 20

_worker_rules: LineRules | None = None


@dataclass(frozen=True)
class ChunkOutcome:
    """What a worker found in one block: leaf hashes (concatenated) and times, or a failure."""

    count: int
    leaves: bytes
    first_recorded_at: str | None
    last_recorded_at: str | None
    failure: tuple[str, str, int] | None  # (check, message, seq)


@dataclass(frozen=True)
class EntriesOutcome:
    """The whole of entries.jsonl once every line passed."""

    count: int
    first_recorded_at: str | None
    last_recorded_at: str | None
    sha256: str


def usable_cpus() -> list[int]:
    """The CPUs this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


def _init_worker(rules: LineRules) -> None:
    global _worker_rules
    _worker_rules = rules


def _seq_of(line: bytes) -> int | None:
    try:
        seq = json.loads(line)["entry"]["seq"]
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    return seq if type(seq) is int else None


def _sequence_message(expected: int, got: int, next_line: bytes | None) -> str:
    # Say what most likely happened, from the line after the one out of place.
    following = _seq_of(next_line) if next_line else None
    if following == expected:
        return f"seq {got} comes before seq {expected}: the entries are out of order"
    if got > expected:
        missing = f"seq {expected}" if got == expected + 1 else f"seqs {expected}..{got - 1}"
        return f"{missing} missing: the entry after seq {expected - 1} is seq {got}"
    return f"seq {got} appears where seq {expected} should be: repeated or out of order"


def check_chunk(
    data: bytes, first_seq: int, range_from: str, range_to: str, rules: LineRules | None = None
) -> ChunkOutcome:
    """Check the lines of ``data`` (whole lines), the first of which must hold ``first_seq``.

    Entries must be in the recorded_at range ``[range_from, range_to)`` (ledger
    time strings, which sort in time order) and never go back in time.
    """
    rules = rules or _worker_rules
    assert rules is not None, "check_chunk needs rules (or a worker set up by check_entries)"
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    leaves = []
    first = previous = None
    seq = first_seq
    for position, line in enumerate(lines):
        try:
            leaf = check_line(line, seq, rules)
            recorded_at = leaf.recorded_at
            if previous is not None and recorded_at < previous:
                raise LineRefused(
                    "time_order",
                    f"recorded at {recorded_at}, before the entry ahead of it ({previous}): "
                    "a log never goes back in time",
                )
            if not range_from <= recorded_at < range_to:
                raise LineRefused(
                    "outside_range",
                    f"recorded at {recorded_at}, outside the range [{range_from}, {range_to})",
                )
        except LineRefused as refused:
            message = refused.message
            if refused.check == "sequence":
                following = lines[position + 1] if position + 1 < len(lines) else None
                message = _sequence_message(seq, _seq_of(line) or 0, following)
            failure = (refused.check, message, seq)
            return ChunkOutcome(position, b"".join(leaves), first, previous, failure)
        if first is None:
            first = recorded_at
        previous = recorded_at
        leaves.append(leaf.leaf_hash)
        seq += 1
    return ChunkOutcome(len(leaves), b"".join(leaves), first, previous, None)


def _blocks(stream: IO[bytes], digest: hashlib._Hash) -> Iterator[bytes]:
    # Whole lines only: a block ends at its last newline, the rest starts the next.
    rest = b""
    while True:
        data = stream.read(BLOCK_SIZE)
        if not data:
            break
        digest.update(data)
        data = rest + data
        cut = data.rfind(b"\n") + 1
        if cut:
            yield data[:cut]
            rest = data[cut:]
        else:
            rest = data
    if rest:
        yield rest


def check_entries(
    stream: IO[bytes],
    *,
    first_seq: int,
    range_from: str,
    range_to: str,
    rules: LineRules,
    leaves: merkle.CompactRange,
    jobs: int = 1,
) -> EntriesOutcome:
    """Check every line of entries.jsonl read from ``stream``; raise ``VerificationFailed``.

    Each line's leaf hash is added to ``leaves`` in seq order.

    With ``jobs`` > 1 the blocks go to that many worker processes, at most
    two blocks per worker in flight, so memory stays small; results are taken
    in file order, and the first failure (in seq order) is the one reported.
    """
    digest = hashlib.sha256()
    state = {"count": 0, "first": None, "last": None}

    def take(outcome: ChunkOutcome) -> None:
        leaves.extend(outcome.leaves)
        if outcome.first_recorded_at is not None:
            if state["last"] is not None and outcome.first_recorded_at < state["last"]:
                seq = first_seq + state["count"]
                raise VerificationFailed(
                    "time_order",
                    f"seq {seq}: recorded at {outcome.first_recorded_at}, before the entry "
                    f"ahead of it ({state['last']}): a log never goes back in time",
                    file=ENTRIES_FILE,
                    seq=seq,
                )
            state["first"] = state["first"] or outcome.first_recorded_at
            state["last"] = outcome.last_recorded_at
        state["count"] += outcome.count
        if outcome.failure is not None:
            check, message, seq = outcome.failure
            raise VerificationFailed(check, f"seq {seq}: {message}", file=ENTRIES_FILE, seq=seq)

    next_seq = first_seq
    if jobs <= 1:
        for block in _blocks(stream, digest):
            take(check_chunk(block, next_seq, range_from, range_to, rules))
            next_seq += block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
    else:
        with ProcessPoolExecutor(
            max_workers=jobs, initializer=_init_worker, initargs=(rules,)
        ) as pool:
            pending: deque[Future[ChunkOutcome]] = deque()
            try:
                for block in _blocks(stream, digest):
                    pending.append(pool.submit(check_chunk, block, next_seq, range_from, range_to))
                    next_seq += block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
                    while len(pending) >= 2 * jobs:
                        take(pending.popleft().result())
                while pending:
                    take(pending.popleft().result())
            finally:
                for future in pending:
                    future.cancel()
    return EntriesOutcome(state["count"], state["first"], state["last"], digest.hexdigest())
