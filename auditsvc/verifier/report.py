"""What the verifier says: a one-line verdict for people, a JSON object for machines."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from auditsvc.core.keys import VerifierKey

from .bundle import Manifest
from .errors import VerificationFailed

__all__ = ["Report"]


@dataclass
class Report:
    """The outcome of one ``verify_bundle`` run; ``ok`` only when every check held."""

    bundle: str
    signatures_checked: bool
    ok: bool = False
    failure: VerificationFailed | None = None
    manifest: Manifest | None = None
    manifest_key: str | None = None
    entries: int | None = None
    root: bytes | None = None
    checkpoint_signers: list[str] = field(default_factory=list)
    untrusted_keys: list[str] = field(default_factory=list)
    previous: dict[str, object] | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def take_manifest(self, manifest: Manifest, signer: VerifierKey) -> None:
        """Record the verified manifest and the key that signed it."""
        self.manifest = manifest
        self.manifest_key = f"{signer.name} ({signer.key_id})"

    def verdict(self) -> str:
        """One line: ``OK: ...`` with what was proven, or ``FAILED: <where>: <why>``."""
        if not self.ok:
            assert self.failure is not None
            return f"FAILED: {self.bundle}: {self.failure.message}"
        m = self.manifest
        assert m is not None
        seqs = f"seqs {m.first_seq}..{m.last_seq}" if m.count else "no entries"
        parts = [
            f"OK: {self.bundle}: log {m.log}, {self.entries} entries ({seqs}) recorded in "
            f"[{m.range_from}, {m.range_to}), complete",
            f"checkpoint of size {m.tree_size} signed by {', '.join(self.checkpoint_signers)}",
            "signatures checked" if self.signatures_checked else "signatures NOT checked (--fast)",
        ]
        if self.previous is not None:
            parts.append(f"consistent with your checkpoint of size {self.previous['size']}")
        if self.untrusted_keys:
            parts.append(
                f"untrusted keys in the bundle (ignored): {', '.join(self.untrusted_keys)}"
            )
        return "; ".join(parts)

    def as_json(self) -> dict[str, Any]:
        """The report for ``--json``."""
        m = self.manifest
        return {
            "ok": self.ok,
            "verdict": self.verdict(),
            "bundle": self.bundle,
            "log": m.log if m else None,
            "origin": m.origin if m else None,
            "range": {"from": m.range_from, "to": m.range_to} if m else None,
            "entries": self.entries,
            "first_seq": m.first_seq if m else None,
            "last_seq": m.last_seq if m else None,
            "tree_size": m.tree_size if m else None,
            "root": base64.b64encode(self.root).decode("ascii") if self.root else None,
            "signatures_checked": self.signatures_checked,
            "manifest_key": self.manifest_key,
            "checkpoint_signers": self.checkpoint_signers,
            "untrusted_keys": self.untrusted_keys,
            "previous_checkpoint": self.previous,
            "notes": self.notes,
            "failure": self.failure.as_json() if self.failure else None,
            "seconds": round(self.seconds, 3),
        }
