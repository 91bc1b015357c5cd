"""The one way the offline verifier says no: ``VerificationFailed``, naming the check and where.

Every refusal carries a stable ``check`` code (for ``--json`` and scripts),
the file it concerns and, for entries and fence posts, the seq, so the
auditor sees the first bad seq or file and why (docs/auditors.md "What each
failure means" lists them).
"""

from __future__ import annotations

__all__ = ["VerificationFailed"]


class VerificationFailed(Exception):
    """The bundle (or document) is not what it claims to be; ``message`` says why.

    ``check`` is a stable code such as ``entry_altered`` or ``root_mismatch``;
    ``file`` is the bundle file at fault and ``seq`` the first bad entry's
    seq, when they are known.
    """

    def __init__(
        self, check: str, message: str, *, file: str | None = None, seq: int | None = None
    ) -> None:
        super().__init__(message)
        self.check = check
        self.message = message
        self.file = file
        self.seq = seq

    def where(self) -> str:
        """``seq 12`` or ``entries.jsonl`` or both, for the one-line verdict."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.seq is not None:
            parts.append(f"seq {self.seq}")
        return ", ".join(parts)

    def as_json(self) -> dict[str, object]:
        """The failure as ``--json`` reports it."""
        return {"check": self.check, "file": self.file, "seq": self.seq, "message": self.message}
