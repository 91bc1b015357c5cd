"""``auditsvc-verify document``: a signed letter or resident report, checked offline.

The rule itself is the core's (``auditsvc.core.documents.verify_document``);
this reads the file and shapes the verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from auditsvc.core.documents import DocumentError, verify_document
from auditsvc.core.keys import VerifierKey

from .errors import VerificationFailed
from .records import LineRefused, loads_strict

__all__ = ["DocumentResult", "verify_document_file"]


@dataclass(frozen=True)
class DocumentResult:
    """The outcome of checking one signed document."""

    path: str
    ok: bool
    doc_type: str | None = None
    key_id: str | None = None
    document: dict[str, Any] | None = None
    failure: VerificationFailed | None = None

    def verdict(self) -> str:
        """One line: ``OK: <file>: <type> signed by key <id>`` or ``FAILED: <file>: <why>``."""
        if self.ok:
            return (
                f"OK: {self.path}: a genuine {self.doc_type} document signed by key {self.key_id}"
            )
        assert self.failure is not None
        return f"FAILED: {self.path}: {self.failure.message}"

    def as_json(self) -> dict[str, Any]:
        """The result for ``--json``: the verdict, and the document itself when genuine."""
        return {
            "ok": self.ok,
            "verdict": self.verdict(),
            "file": self.path,
            "type": self.doc_type,
            "key_id": self.key_id,
            "document": self.document,
            "failure": self.failure.as_json() if self.failure else None,
        }


def verify_document_file(path: str, trusted: Sequence[VerifierKey]) -> DocumentResult:
    """Read ``path`` (a signed document's JSON) and check it against the ``trusted`` keys."""
    try:
        with open(path, "rb") as handle:
            signed = loads_strict(handle.read())
        document = verify_document(signed, trusted)
    except OSError as exc:
        failure = VerificationFailed("unreadable_file", f"cannot read {path}: {exc}", file=path)
        return DocumentResult(path, False, failure=failure)
    except LineRefused as refused:
        failure = VerificationFailed("malformed_file", f"{path} is {refused.message}", file=path)
        return DocumentResult(path, False, failure=failure)
    except DocumentError as exc:
        failure = VerificationFailed("document", str(exc), file=path)
        return DocumentResult(path, False, failure=failure)
    return DocumentResult(path, True, signed["type"], signed["key_id"], document)
