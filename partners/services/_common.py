"""Small helpers shared by the partner services."""

from __future__ import annotations

from typing import Any

from auditsvc.ledger.services import ledger_append
from auditsvc.models import BUREAU_LOG_ID, LedgerEntry

from ..errors import ReasonRequired


def actor_name(actor) -> str | None:
    """The acting user's username as the ledger records it (None for an automatic action)."""
    return actor.get_username() if actor is not None else None


def require_reason(reason: object) -> str:
    """A decision's reason, stripped; refuses an empty one (a decision must say why)."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ReasonRequired(field="reason")
    return text


def bureau_log(kind: str, body: dict[str, Any]) -> LedgerEntry:
    """Append a bureau decision to the bureau log, inside the caller's transaction."""
    # The ledger takes the kind as a plain str (the canonical encoder checks exact types).
    return ledger_append(BUREAU_LOG_ID, str(kind), body)
