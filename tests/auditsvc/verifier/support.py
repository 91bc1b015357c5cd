"""Real bundles from the exports writer, opened up to be tampered with and written back.

``Opened.reseal(key)`` plays an exporter that holds the service's key and
lies: it rewrites the manifest's file hashes (and any manifest fields the
test changed) and signs it again, so that the deeper checks, not the
manifest, must catch the change. Without it the zip is edited afterwards,
as anyone holding a copy could.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditsvc.core.canonical import b64encode, canonical_bytes
from auditsvc.core.keys import SigningKey, VerifierKey
from auditsvc.exports.bundles import write_bundle
from auditsvc.verifier import Report, verify_bundle


def export_bytes(log_id: str, from_, to, **kwargs: Any) -> bytes:
    out = io.BytesIO()
    kwargs.setdefault("requested_by", None)
    write_bundle(log_id, from_, to, out=out, **kwargs)
    return out.getvalue()


@dataclass
class Opened:
    """A bundle's members by name, in zip order."""

    files: dict[str, bytes]

    @classmethod
    def of(cls, data: bytes) -> Opened:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return cls({name: archive.read(name) for name in archive.namelist()})

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads(self.files["manifest.json"])

    def lines(self, name: str = "entries.jsonl") -> list[dict[str, Any]]:
        return [json.loads(raw) for raw in self.files[name].splitlines()]

    def set_lines(self, records: list[dict[str, Any]], name: str = "entries.jsonl") -> Opened:
        self.files[name] = b"".join(canonical_bytes(record) + b"\n" for record in records)
        return self

    def reseal(self, key: SigningKey, **manifest_changes: Any) -> Opened:
        manifest = self.manifest
        manifest.update(manifest_changes)
        manifest["files"] = {
            name: hashlib.sha256(data).hexdigest()
            for name, data in sorted(self.files.items())
            if name not in ("manifest.json", "manifest.sig")
        }
        data = canonical_bytes(manifest)
        self.files["manifest.json"] = data
        self.files["manifest.sig"] = (b64encode(key.sign(data)) + "\n").encode()
        return self

    def write(self, path: Path) -> Path:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in self.files.items():
                archive.writestr(name, data)
        return path


def verify(path: Path, key: SigningKey | VerifierKey, **kwargs: Any) -> Report:
    verifier = key.verifier() if isinstance(key, SigningKey) else key
    return verify_bundle(str(path), [verifier], **kwargs)
