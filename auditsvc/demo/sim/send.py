"""Sending the planned requests through the validation and services the API views call."""

from __future__ import annotations

import uuid
from collections import Counter

from auditsvc.ingestion.services import (
    access_events_record,
    account_events_record,
    session_close,
    session_open,
)
from auditsvc.ingestion.validation import (
    validate_access_batch,
    validate_account_batch,
    validate_session_close,
    validate_session_open,
)
from partners.models import Partner

from .plan import ACCESS, ACCOUNT, CLOSE, SESSION, SESSION_KEY, Action


class Sender:
    """Sends actions as partner software would; counts what was recorded and flagged."""

    def __init__(self, partners: dict[str, Partner]) -> None:
        self.partners = partners
        #: client_session_id -> the session's id (reads may be uploaded after the close).
        self.opened: dict[str, str] = {}
        self.records: Counter[str] = Counter()
        self.violations: Counter[str] = Counter()

    def send(self, action: Action) -> None:
        partner = self.partners[action.partner]
        if action.kind == SESSION:
            result = session_open(partner, validate_session_open(action.body), credential=None)
            self.opened[action.session_key] = str(result.session.pk)
            self._count("sessions", result.violations)
        elif action.kind == ACCESS:
            events = []
            for event in action.body:
                key = event.get(SESSION_KEY)
                if key is None:
                    events.append(event)
                elif key in self.opened:  # else it opened before the simulation began
                    rest = {k: v for k, v in event.items() if k != SESSION_KEY}
                    events.append({**rest, "session": self.opened[key]})
            if not events:
                return
            results = access_events_record(
                partner, validate_access_batch({"events": events}), credential=None
            )
            for result in results:
                self._count("accesses", result.violations)
        elif action.kind == CLOSE:
            session = self.opened.get(action.session_key)
            if session is None:
                return
            session_close(
                partner, uuid.UUID(session), validate_session_close(action.body), credential=None
            )
        elif action.kind == ACCOUNT:
            results = account_events_record(
                partner,
                validate_account_batch({"events": action.body}, platform_code=partner.code),
                credential=None,
            )
            for result in results:
                self._count("account_events", result.violations)
        else:  # pragma: no cover - the planner makes only the kinds above
            raise ValueError(action.kind)

    def _count(self, kind: str, violations: list[str]) -> None:
        self.records[kind] += 1
        self.violations.update(violations)
