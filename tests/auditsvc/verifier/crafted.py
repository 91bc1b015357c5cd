"""Export bundles crafted in memory with the core alone: no database, exact control for tampering.

``CraftedLog`` is a log kept the way the ledger keeps one (canonical entries,
leaf hashes, entry signatures, stored subtree hashes); ``CraftedBundle`` is
its export in DESIGN.md's format, whose files a test can change and then
write with the manifest re-signed (an exporter that holds the key and lies)
or left as it was (someone editing the zip afterwards).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditsvc.core import merkle, notes
from auditsvc.core.canonical import b64encode, canonical_bytes, entry_bytes, format_time
from auditsvc.core.keys import SigningKey, sign_entry

ORIGIN = "audit.ybj.example"
START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def line(record: dict[str, Any]) -> bytes:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


@dataclass
class CraftedLog:
    """An in-memory log: entry i is recorded ``i`` minutes after ``START``."""

    key: SigningKey
    log: str = "P0001"
    records: list[dict[str, Any]] = field(default_factory=list)
    reader: merkle.DictHashReader = field(default_factory=merkle.DictHashReader)

    def append(self, count: int, *, kind: str = "access_event", key: SigningKey | None = None):
        key = key or self.key
        new = []
        for _ in range(count):
            seq = len(self.records)
            recorded_at = format_time(START + dt.timedelta(minutes=seq))
            body = {"agent": "A-0001", "n": seq, "fields": ["name", "id_number"], "note": "居民"}
            data = entry_bytes(self.log, seq, recorded_at, kind, body)
            leaf = merkle.leaf_hash(data)
            self.records.append(
                {
                    "entry": json.loads(data),
                    "leaf_hash": leaf.hex(),
                    "signature": b64encode(sign_entry(key, leaf)),
                    "key_id": key.key_id,
                }
            )
            new.append(leaf)
        self.reader.update(
            merkle.stored_hashes_for_append(len(self.records) - count, new, self.reader)
        )
        return self

    @staticmethod
    def time(minutes: int) -> str:
        return format_time(START + dt.timedelta(minutes=minutes))

    def root(self, size: int) -> bytes:
        return merkle.tree_hash(size, self.reader)

    def checkpoint(self, size: int | None = None, keys: list[SigningKey] | None = None) -> str:
        size = len(self.records) if size is None else size
        text = notes.checkpoint_text(f"{ORIGIN}/{self.log}", size, self.root(size))
        return notes.sign_note(text, keys or [self.key])

    def export(
        self,
        range_from: int,
        range_to: int,
        *,
        size: int | None = None,
        previous_size: int | None = None,
        extra_keys: list[SigningKey] = (),
    ) -> CraftedBundle:
        """The bundle of entries recorded in minutes ``[range_from, range_to)`` at tree ``size``."""
        size = len(self.records) if size is None else size
        start, end = self.time(range_from), self.time(range_to)
        records = self.records[:size]
        inside = [r for r in records if start <= r["entry"]["recorded_at"] < end]
        before = [r for r in records if r["entry"]["recorded_at"] < start][-1:]
        after = [r for r in records if r["entry"]["recorded_at"] >= end][:1]
        seqs = [r["entry"]["seq"] for r in before + inside + after]
        if seqs:
            a, b = seqs[0], seqs[-1]
        else:
            a, b = 0, -1
        cover = merkle.range_cover(a, b, size)
        nodes = [
            merkle.node_to_json(index, value)
            for index, value in zip(cover, self.reader.read_hashes(cover), strict=True)
        ]
        files = {
            "entries.jsonl": b"".join(line(r) for r in inside),
            "fenceposts.jsonl": b"".join(line(r) for r in before + after),
            "proof.json": json.dumps({"tree_size": size, "nodes": nodes}).encode(),
            "checkpoint.txt": self.checkpoint(size).encode(),
            "keys.json": json.dumps(
                {
                    "keys": [
                        {
                            "key_id": k.key_id,
                            "name": k.name,
                            "algorithm": "ed25519",
                            "public_key": b64encode(k.public_key),
                            "verifier_key": k.verifier_string(),
                        }
                        for k in [self.key, *extra_keys]
                    ]
                }
            ).encode(),
        }
        if previous_size is not None:
            proof = (
                merkle.prove_consistency(previous_size, size, self.reader) if previous_size else []
            )
            files["consistency.json"] = json.dumps(
                {"from": previous_size, "to": size, "proof": [b64encode(h) for h in proof]}
            ).encode()
        manifest = {
            "format": "auditsvc-bundle/1",
            "origin": ORIGIN,
            "log": self.log,
            "partner": {"code": self.log, "name": "Example Partner Co."},
            "range": {"from": start, "to": end},
            "first_seq": inside[0]["entry"]["seq"] if inside else None,
            "last_seq": inside[-1]["entry"]["seq"] if inside else None,
            "count": len(inside),
            "tree_size": size,
            "files": {},
            "created_at": self.time(range_to + 1),
            "requested_by": "auditor",
            "key_id": self.key.key_id,
        }
        bundle = CraftedBundle(files, manifest)
        bundle.seal(self.key)
        return bundle


@dataclass
class CraftedBundle:
    """A bundle's files and manifest, to change and write as a zip."""

    files: dict[str, bytes]
    manifest: dict[str, Any]
    manifest_bytes: bytes = b""
    signature: bytes = b""

    def seal(self, key: SigningKey) -> CraftedBundle:
        """Hash every file into the manifest and sign it (an honest exporter, or a lying one)."""
        self.manifest["files"] = {
            name: hashlib.sha256(data).hexdigest() for name, data in sorted(self.files.items())
        }
        self.manifest["key_id"] = key.key_id
        self.manifest_bytes = canonical_bytes(self.manifest)
        self.signature = key.sign(self.manifest_bytes)
        return self

    def lines(self, name: str = "entries.jsonl") -> list[dict[str, Any]]:
        return [json.loads(raw) for raw in self.files[name].splitlines()]

    def set_lines(self, records: list[dict[str, Any]], name: str = "entries.jsonl") -> None:
        self.files[name] = b"".join(line(r) for r in records)

    def write(self, path: Path) -> Path:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in self.files.items():
                archive.writestr(name, data)
            archive.writestr("manifest.json", self.manifest_bytes)
            archive.writestr("manifest.sig", b64encode(self.signature))
        return path
