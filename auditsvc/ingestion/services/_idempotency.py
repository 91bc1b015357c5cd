"""Idempotency: a resent record is a duplicate, a reused id with other content a conflict.

DESIGN.md "API conventions": resending a client id with the same content
returns the original receipt and records nothing; reusing it with different
content refuses the whole batch (409 ``idempotency_conflict``, naming each
conflicting record). "Content" is what is stored for the record: the
pseudonyms, the fields as a set, instants compared in UTC, the session, the
agent, the purpose and the like; not the credential that sent it nor what
the service assigned (receipt, violations, recorded_at). An id repeated
inside one batch is a conflict too, unless the copies are equal.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import IdempotencyConflict
from ._storage import Recorded


@dataclass(frozen=True, slots=True)
class ContentField:
    """One part of a record's content: its model field, its API name, its incoming value."""

    column: str
    name: str
    incoming: Callable[[Any], Any]


def _comparable(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(value)  # fields: a set, whatever the order or repeats
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)  # an instant, whatever the offset it was sent with
    if value is None:
        return ""  # an optional text left out is stored as ""
    return value


def content_of(fields: Sequence[ContentField], record: Any) -> tuple:
    """The comparable content of an incoming (validated) record."""
    return tuple(_comparable(field.incoming(record)) for field in fields)


def stored_content(stored: tuple) -> tuple:
    """The comparable content of a stored record (columns in ContentField order)."""
    return tuple(_comparable(value) for value in stored)


def differences(fields: Sequence[ContentField], first: tuple, second: tuple) -> list[str]:
    """API names of the fields whose content differs."""
    return [field.name for field, a, b in zip(fields, first, second, strict=True) if a != b]


def conflict(
    field: str, client_id: str, differs: list[str], *, earlier: str, receipt: dict | None = None
) -> dict:
    """One entry of an ``idempotency_conflict`` problem's ``errors``."""
    where = "a record recorded before" if receipt is not None else earlier
    entry = {
        "field": field,
        "code": IdempotencyConflict.code,
        "message": (
            f"This id was used for {where} with another {', '.join(differs)}. Resend exactly "
            "what was sent before, or give the new record an id of its own."
        ),
        "client_id": client_id,
        "differs": differs,
    }
    if receipt is not None:
        entry["receipt"] = receipt
    return entry


def batch_conflicts(
    events: Sequence, content: Sequence[ContentField], existing: dict[str, Recorded]
) -> tuple[list[dict], dict[str, int]]:
    """Conflicts of the batch (in the order of the records), and where each id first appears.

    A record conflicts when its id was recorded before with other content, or
    when an earlier record of the batch has its id and other content.
    """
    conflicts = []
    first: dict[str, int] = {}
    contents: dict[str, tuple] = {}
    for position, event in enumerate(events):
        client_id = event.client_event_id
        earlier = first.setdefault(client_id, position)
        found = existing.get(client_id)
        if earlier == position and found is None:
            continue  # the common case: a new id, seen once so far
        mine = content_of(content, event)
        if found is not None:
            theirs = contents.get(client_id)
            if theirs is None:
                theirs = contents[client_id] = stored_content(found.content)
            differs = differences(content, theirs, mine)
            if differs:
                conflicts.append(
                    conflict(
                        f"events[{position}].client_event_id",
                        client_id,
                        differs,
                        earlier="",
                        receipt=found.receipt,
                    )
                )
                continue
        if earlier != position:
            differs = differences(content, content_of(content, events[earlier]), mine)
            if differs:
                conflicts.append(
                    conflict(
                        f"events[{position}].client_event_id",
                        client_id,
                        differs,
                        earlier=f"events[{earlier}] of this batch",
                    )
                )
    return conflicts, first


# --- What each kind of record holds --------------------------------------------------

ACCESS_CONTENT = (
    ContentField("session_id", "session", lambda e: e.session_id),
    ContentField("agent_code", "agent", lambda e: e.agent_code),
    ContentField("identity_ref", "resident", lambda e: e.identity.identity_ref),
    ContentField("fields", "fields", lambda e: e.fields),
    ContentField("purpose", "purpose", lambda e: e.purpose),
    ContentField("occurred_at", "occurred_at", lambda e: e.occurred_at),
    ContentField("device_ref", "device", lambda e: e.device_ref),
)
ACCOUNT_CONTENT = (
    ContentField("identity_ref", "holder", lambda e: e.identity.identity_ref),
    ContentField("action", "action", lambda e: e.action),
    ContentField("account_ref", "account", lambda e: e.account_ref),
    ContentField("occurred_at", "occurred_at", lambda e: e.occurred_at),
    ContentField("device_ref", "device", lambda e: e.device_ref),
    ContentField("phone_ref", "phone", lambda e: e.phone_ref),
    ContentField("channel", "channel", lambda e: e.channel),
)
SESSION_CONTENT = (
    ContentField("agent_code", "agent", lambda s: s.agent_code),
    ContentField("identity_ref", "resident", lambda s: s.identity.identity_ref),
    ContentField("purpose", "purpose", lambda s: s.purpose),
    ContentField("region_code", "region_code", lambda s: s.region_code),
    ContentField("device_ref", "device", lambda s: s.device_ref),
    ContentField("opened_at", "opened_at", lambda s: s.opened_at),
    ContentField("consent_ref", "consent_ref", lambda s: s.consent_ref),
)
