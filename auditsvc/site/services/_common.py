"""Small helpers shared by the site's services."""

from __future__ import annotations

from typing import Any

from auditsvc.ledger.models import BUREAU_LOG_ID, LedgerEntry
from auditsvc.ledger.services import ledger_append

from ..errors import ReasonMissing


def bureau_log(kind: str, body: dict[str, Any]) -> LedgerEntry:
    """Append to the bureau log, inside the caller's transaction."""
    return ledger_append(BUREAU_LOG_ID, kind, body)


def person_fields(user) -> dict[str, Any]:
    """``{"user": username, "user_id": pk}``: whom a change is about (usernames can change)."""
    return {"user": user.get_username(), "user_id": user.pk}


def require_reason(reason: object) -> str:
    """A decision's reason, stripped; refuses an empty one."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ReasonMissing(field="reason")
    return text
