"""How a ledger entry names the person who took a decision.

Usernames can change, so an entry names the actor by id and username:
``{"actor": "approver", "actor_id": 3}``; both are ``None`` for the system
(an automatic action, or an operator at the command line).
"""

from __future__ import annotations

from typing import Any


def actor_fields(actor: Any) -> dict[str, Any]:
    """``{"actor": username or None, "actor_id": pk or None}`` for a bureau-log entry body."""
    if actor is None:
        return {"actor": None, "actor_id": None}
    return {"actor": actor.get_username(), "actor_id": actor.pk}
