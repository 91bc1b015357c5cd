"""Helpers of the detection tests: records written through the ingestion services.

Times are given freely (the services accept the past; the API's five-minute
future check is not what is tested here). Pseudonyms are made up directly
(``Identity``): detection only ever sees pseudonyms.
"""

from __future__ import annotations

import datetime as dt
import itertools

from auditsvc.base.identities import Identity
from auditsvc.ingestion.services import (
    access_events_record,
    account_events_record,
    session_close,
    session_open,
)
from auditsvc.ingestion.validation.bodies import (
    AccessEventIn,
    AccountEventIn,
    SessionCloseIn,
    SessionOpenIn,
)
from partners.models import SHANGHAI

_ids = itertools.count(1)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An Asia/Shanghai wall-clock time, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def resident(n: int, *, born: int = 1950, region: str = "411381") -> Identity:
    return Identity(identity_ref=f"{n:064x}", region_code=region, birth_year=born)


def read(
    partner,
    at: dt.datetime,
    who: Identity | int = 1,
    *,
    agent: str = "A-0001",
    session=None,
    fields=("name", "id_number"),
    purpose: str = "card_activation",
    device: str = "d" * 64,
):
    """Record one identity access; returns its EventResult."""
    identity = resident(who) if isinstance(who, int) else who
    event = AccessEventIn(
        client_event_id=f"e-{next(_ids)}",
        session_id=session.id if session is not None else None,
        agent_code=agent,
        identity=identity,
        fields=list(fields),
        purpose=purpose,
        occurred_at=at,
        device_ref=device,
    )
    return access_events_record(partner, [event])[0]


def read_many(
    partner,
    at: dt.datetime,
    residents,
    *,
    agent: str = "A-0001",
    session=None,
    fields=("name", "id_number"),
    spread: dt.timedelta = dt.timedelta(seconds=10),
    device: str = "d" * 64,
):
    """One batch: an access to each of ``residents`` (Identity or int), ``spread`` apart."""
    events = [
        AccessEventIn(
            client_event_id=f"e-{next(_ids)}",
            session_id=session.id if session is not None else None,
            agent_code=agent,
            identity=resident(who) if isinstance(who, int) else who,
            fields=list(fields),
            purpose="card_activation",
            occurred_at=at + i * spread,
            device_ref=device,
        )
        for i, who in enumerate(residents)
    ]
    return access_events_record(partner, events)


def open_session(
    partner,
    at: dt.datetime,
    who: Identity | int = 1,
    *,
    agent: str = "A-0001",
    minutes: float | None = 20,
    outcome: str = "completed",
    device: str = "d" * 64,
    region: str = "411381",
):
    """Open (and, unless ``minutes`` is None, close after ``minutes``) a session."""
    identity = resident(who) if isinstance(who, int) else who
    result = session_open(
        partner,
        SessionOpenIn(
            client_session_id=f"s-{next(_ids)}",
            agent_code=agent,
            identity=identity,
            purpose="card_activation",
            region_code=region,
            device_ref=device,
            opened_at=at,
            consent_ref="",
        ),
        credential=None,
    )
    if minutes is not None:
        session_close(
            partner,
            result.session.id,
            SessionCloseIn(closed_at=at + dt.timedelta(minutes=minutes), outcome=outcome),
        )
        result.session.refresh_from_db()
    return result.session


def account(
    platform,
    at: dt.datetime,
    who: Identity | int = 1,
    *,
    number: str | None = None,
    device: str = "f" * 64,
    phone: str = "p" * 64,
    action: str = "opened",
):
    """Record one account event at ``platform``."""
    identity = resident(who) if isinstance(who, int) else who
    n = next(_ids)
    return account_events_record(
        platform,
        [
            AccountEventIn(
                client_event_id=f"acc-{n}",
                identity=identity,
                action=action,
                account_ref=number or f"{n:064x}",
                occurred_at=at,
                device_ref=device,
                phone_ref=phone,
                channel="app",
            )
        ],
    )[0]


def detect(*rules: str):
    """Run detection now (only ``rules``, if given) and return the summary."""
    from auditsvc.detection.services import run_detection

    return run_detection(rules=list(rules) or None)


def alerts(rule: str | None = None):
    from auditsvc.detection.models import Alert

    found = Alert.objects.order_by("window_start", "subject_ref")
    return list(found.filter(rule=rule) if rule else found)
