"""Recording batches of identity accesses and account events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from auditsvc.core.canonical import format_time
from auditsvc.ledger.services import append_entries, entry_receipt, log_for_update
from partners.choices import PartnerKind, violations_in_order
from partners.models import SHANGHAI, ApiCredential, Partner
from partners.selectors import PartnerScope

from ..errors import IdempotencyConflict
from ..kinds import IngestionKind
from ..models import AccessEvent, AccountEvent, DailyAccessCount, EnrolmentSession
from ..validation import AccessEventIn, AccountEventIn
from ._common import (
    DAILY_CAP_EXCEEDED,
    NO_OPEN_SESSION,
    PARTNER_NOT_APPROVED,
    agent_check,
    agents_of,
    credential_id,
    is_test,
    join_violations,
    require_kind,
)
from ._idempotency import ACCESS_CONTENT, ACCOUNT_CONTENT, ContentField, batch_conflicts
from ._storage import Recorded, existing_records, insert_records

RECORDED = "recorded"
DUPLICATE = "duplicate"


@dataclass(slots=True)
class EventResult:
    """The answer for one record of a batch: ``recorded`` now, or a ``duplicate``."""

    client_event_id: str
    status: str
    receipt: dict
    violations: list[str]


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


class _DailyCounts:
    """DailyAccessCount rows of one batch: read once, counted in memory, written once.

    Safe only under the partner's log lock (which every caller holds), so
    two batches never count from the same starting value.
    """

    def __init__(self, partner: Partner, keys: set[tuple[str, dt.date]], *, test: bool) -> None:
        self.partner = partner
        self.test = test
        days = {day for _, day in keys}
        codes = {code for code, _ in keys}
        rows = DailyAccessCount.objects.filter(
            partner_id=partner.pk, test=test, day__in=days, agent_code__in=codes
        ).values_list("agent_code", "day", "count")
        self.counts: dict[tuple[str, dt.date], int] = {(c, d): n for c, d, n in rows}
        self.changed: set[tuple[str, dt.date]] = set()

    def add(self, agent_code: str, day: dt.date) -> int:
        """Count one more access; return the count including it."""
        key = (agent_code, day)
        count = self.counts.get(key, 0) + 1
        self.counts[key] = count
        self.changed.add(key)
        return count

    def save(self) -> None:
        DailyAccessCount.objects.bulk_create(
            [
                DailyAccessCount(
                    partner_id=self.partner.pk,
                    test=self.test,
                    agent_code=code,
                    day=day,
                    count=self.counts[code, day],
                )
                for code, day in sorted(self.changed)
            ],
            update_conflicts=True,
            unique_fields=["partner", "test", "agent_code", "day"],
            update_fields=["count"],
        )


def _results(
    events: Sequence,
    first: dict[str, int],
    existing: dict[str, Recorded],
    recorded: dict[str, EventResult],
) -> list[EventResult]:
    out = []
    for position, event in enumerate(events):
        client_id = event.client_event_id
        result = recorded.get(client_id)
        if result is None:
            found = existing[client_id]
            result = EventResult(client_id, DUPLICATE, found.receipt, found.violations)
        elif first[client_id] != position:
            # A second, equal copy in the same batch: the record it repeats.
            result = EventResult(client_id, DUPLICATE, result.receipt, result.violations)
        out.append(result)
    return out


def _record_batch(
    partner: Partner, model, events, record, credential, content: Sequence[ContentField]
) -> list[EventResult]:
    """Lock the partner's log, refuse conflicts, drop the events it already has, record the rest.

    The lock comes first: it serialises every write of the partner, which makes
    the duplicate check and the daily counters race-free across requests. A
    conflict (an id reused with other content, before or within the batch)
    refuses the whole batch before anything of it is written.
    """
    test = is_test(credential)
    with transaction.atomic():
        log = log_for_update(partner.log_id_for(test=test))
        existing = existing_records(
            model,
            partner,
            list({event.client_event_id: None for event in events}),
            test=test,
            content=[field.column for field in content],
        )
        conflicts, first = batch_conflicts(events, content, existing)
        if conflicts:
            raise IdempotencyConflict(conflicts)
        new = [
            event
            for position, event in enumerate(events)
            if first[event.client_event_id] == position and event.client_event_id not in existing
        ]
        recorded = record(partner, log, new, credential, test) if new else {}
    return _results(events, first, existing, recorded)


def access_events_record(
    partner: Partner,
    events: Sequence[AccessEventIn],
    *,
    credential: ApiCredential | None = None,
) -> list[EventResult]:
    """Record a batch of identity accesses; one result per event, in the order given.

    Events whose ``client_event_id`` the partner already reported with the
    same content (and second copies of an event within the batch) come back
    as ``duplicate`` with their original receipt and violations; the others
    are appended to the partner's log in one go and come back as
    ``recorded``. An id reused with different content refuses the whole
    batch: ``IdempotencyConflict`` (409), nothing recorded.
    Violations found: the authorisation's (partner status, dates, region,
    purpose, fields, hours), ``agent_unknown`` / ``agent_suspended`` (the
    agent was not active at ``occurred_at``, or is not now),
    ``no_open_session`` (no session, not this partner's, another resident's,
    or not open at ``occurred_at``) and ``daily_cap_exceeded`` (the per-agent
    or per-partner count of the Asia/Shanghai day, this event included, is
    above the authorisation's cap).
    """
    require_kind(partner, PartnerKind.ENROLMENT_PARTNER)
    return _record_batch(partner, AccessEvent, events, _record_accesses, credential, ACCESS_CONTENT)


# Columns of the rows _record_accesses builds, in order.
_ACCESS_COLUMNS = (
    "partner_id",
    "test",
    "client_event_id",
    "session_id",
    "agent_code",
    "agent_id",
    "identity_ref",
    "id_region_code",
    "birth_year",
    "fields",
    "purpose",
    "occurred_at",
    "device_ref",
    "violations",
)


def _record_accesses(
    partner: Partner,
    log,
    events: list[AccessEventIn],
    credential: ApiCredential | None,
    test: bool,
) -> dict[str, EventResult]:
    scope = PartnerScope.load(partner)
    agents = agents_of(partner, {event.agent_code for event in events})
    session_ids = {event.session_id for event in events if event.session_id is not None}
    sessions = (
        {
            session.pk: session
            for session in EnrolmentSession.objects.filter(
                partner_id=partner.pk, test=test, pk__in=session_ids
            ).only("id", "identity_ref", "region_code", "opened_at", "closed_at")
        }
        if session_ids
        else {}
    )
    days = [_local_day(event.occurred_at) for event in events]
    # Per agent (its code) and per partner (agent code "") for each local day.
    count_keys = {(event.agent_code, day) for event, day in zip(events, days, strict=True)}
    count_keys.update(("", day) for day in days)
    counts = _DailyCounts(partner, count_keys, test=test)
    reporter = credential_id(credential)
    check = scope.check
    kind = IngestionKind.ACCESS_RECORDED.value

    items = []
    rows = []
    for event, day in zip(events, days, strict=True):
        identity = event.identity
        occurred_at = event.occurred_at
        session = sessions.get(event.session_id) if event.session_id is not None else None
        # Where the enrolment happens when known; else the number's own division code.
        region = session.region_code if session is not None else identity.region_code
        result = check(
            region_code=region, purpose=event.purpose, fields=event.fields, at=occurred_at
        )
        found = list(result.violations)
        agent_id, agent_violation = agent_check(agents, event.agent_code, occurred_at)
        if agent_violation:
            found.append(agent_violation)
        if (
            session is None
            or session.identity_ref != identity.identity_ref
            or occurred_at < session.opened_at
            or (session.closed_at is not None and occurred_at > session.closed_at)
        ):
            found.append(NO_OPEN_SESSION)
        agent_count = counts.add(event.agent_code, day)
        partner_count = counts.add("", day)
        if (
            result.daily_cap_per_agent is not None and agent_count > result.daily_cap_per_agent
        ) or (
            result.daily_cap_per_partner is not None
            and partner_count > result.daily_cap_per_partner
        ):
            found.append(DAILY_CAP_EXCEEDED)
        violations = violations_in_order(found) if found else found
        items.append(
            (
                kind,
                {
                    "client_event_id": event.client_event_id,
                    "session": str(event.session_id) if event.session_id is not None else None,
                    "agent": event.agent_code,
                    "identity_ref": identity.identity_ref,
                    "id_region_code": identity.region_code,
                    "birth_year": identity.birth_year,
                    "fields": event.fields,
                    "purpose": event.purpose,
                    "occurred_at": format_time(occurred_at),
                    "device_ref": event.device_ref,
                    "credential": reporter,
                    "violations": violations,
                },
            )
        )
        rows.append(
            (
                partner.pk,
                test,
                event.client_event_id,
                session.pk if session is not None else None,
                event.agent_code,
                agent_id,
                identity.identity_ref,
                identity.region_code,
                identity.birth_year,
                event.fields,
                event.purpose,
                occurred_at,
                event.device_ref,
                join_violations(violations),
            )
        )

    entries = append_entries(log, items)
    insert_records(AccessEvent, _ACCESS_COLUMNS, rows, entries)
    counts.save()
    return {
        body["client_event_id"]: EventResult(
            body["client_event_id"], RECORDED, entry_receipt(entry), body["violations"]
        )
        for entry, (_, body) in zip(entries, items, strict=True)
    }


def account_events_record(
    partner: Partner,
    events: Sequence[AccountEventIn],
    *,
    credential: ApiCredential | None = None,
) -> list[EventResult]:
    """Record a batch of an account platform's account events; one result per event.

    Idempotent on ``client_event_id`` like access events, conflicts included. The only violation
    an account event can carry is ``partner_not_approved``: account platforms
    report, they hold no authorisation to read identities through us.
    """
    require_kind(partner, PartnerKind.ACCOUNT_PLATFORM)
    return _record_batch(
        partner, AccountEvent, events, _record_accounts, credential, ACCOUNT_CONTENT
    )


_ACCOUNT_COLUMNS = (
    "partner_id",
    "test",
    "client_event_id",
    "identity_ref",
    "id_region_code",
    "birth_year",
    "action",
    "account_ref",
    "occurred_at",
    "device_ref",
    "phone_ref",
    "channel",
    "violations",
)


def _record_accounts(
    partner: Partner,
    log,
    events: list[AccountEventIn],
    credential: ApiCredential | None,
    test: bool,
) -> dict[str, EventResult]:
    # Judged when the event happened and now, like accesses (PartnerScope).
    approved_at = PartnerScope.load(partner).approved_at
    reporter = credential_id(credential)
    kind = IngestionKind.ACCOUNT_RECORDED.value
    items = []
    rows = []
    for event in events:
        identity = event.identity
        violations = [] if approved_at(event.occurred_at) else [PARTNER_NOT_APPROVED]
        items.append(
            (
                kind,
                {
                    "client_event_id": event.client_event_id,
                    "identity_ref": identity.identity_ref,
                    "id_region_code": identity.region_code,
                    "birth_year": identity.birth_year,
                    "action": event.action,
                    "account_ref": event.account_ref,
                    "occurred_at": format_time(event.occurred_at),
                    "device_ref": event.device_ref,
                    "phone_ref": event.phone_ref,
                    "channel": event.channel,
                    "credential": reporter,
                    "violations": violations,
                },
            )
        )
        rows.append(
            (
                partner.pk,
                test,
                event.client_event_id,
                identity.identity_ref,
                identity.region_code,
                identity.birth_year,
                event.action,
                event.account_ref,
                event.occurred_at,
                event.device_ref,
                event.phone_ref,
                event.channel,
                join_violations(violations),
            )
        )
    entries = append_entries(log, items)
    insert_records(AccountEvent, _ACCOUNT_COLUMNS, rows, entries)
    return {
        body["client_event_id"]: EventResult(
            body["client_event_id"], RECORDED, entry_receipt(entry), list(body["violations"])
        )
        for entry, (_, body) in zip(entries, items, strict=True)
    }
