"""Small helpers shared by the partner services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from auditsvc.base.actors import actor_fields
from auditsvc.core.canonical import format_time
from auditsvc.ledger.models import BUREAU_LOG_ID, LedgerEntry
from auditsvc.ledger.services import ledger_append

from ..errors import PartnerError, ReasonRequired


def require_reason(reason: object) -> str:
    """A decision's reason, stripped; refuses an empty one (a decision must say why)."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ReasonRequired(field="reason")
    return text


def bureau_log(kind: str, body: dict[str, Any]) -> LedgerEntry:
    """Append a bureau decision to the bureau log, inside the caller's transaction."""
    return ledger_append(BUREAU_LOG_ID, kind, body)


def revoke_record(
    record: models.Model,
    *,
    actor,
    reason: str,
    kind: str,
    already: Callable[[Any], PartnerError],
    body: Callable[[Any], dict[str, Any]],
):
    """Revoke ``record`` (a model with revoked_at, revoked_by, revoke_reason) from now on.

    Locks the row so two revocations cannot both pass the check, raises
    ``already(locked)`` if it was revoked before, and records the revocation
    in the bureau log with ``body(locked)`` plus reason, actor and time, in
    the same transaction. ``record`` is updated in place and returned.
    """
    reason = require_reason(reason)
    with transaction.atomic():
        locked = (
            type(record).objects.select_for_update().select_related("partner").get(pk=record.pk)
        )
        if locked.revoked_at is not None:
            raise already(locked)
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.revoke_reason = reason
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        bureau_log(
            kind,
            {
                **body(locked),
                "reason": reason,
                **actor_fields(actor),
                "revoked_at": format_time(locked.revoked_at),
            },
        )
    record.revoked_at = locked.revoked_at
    record.revoked_by = locked.revoked_by
    record.revoke_reason = locked.revoke_reason
    return record
