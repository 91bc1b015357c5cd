"""Opening and closing enrolment sessions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from auditsvc.base.errors import ValidationFailed
from auditsvc.core.canonical import format_time
from auditsvc.ledger.services import append_entries, entry_receipt, log_for_update
from partners.choices import PartnerKind, violations_in_order
from partners.models import ApiCredential, Partner
from partners.selectors import PartnerScope

from ..errors import IdempotencyConflict, SessionAlreadyClosed, SessionNotFound
from ..kinds import IngestionKind
from ..models import EnrolmentSession
from ..validation import SessionCloseIn, SessionOpenIn
from ._common import (
    agent_check,
    agents_of,
    credential_id,
    is_test,
    join_violations,
    require_kind,
)
from ._idempotency import SESSION_CONTENT, conflict, content_of, differences, stored_content


@dataclass(slots=True)
class SessionResult:
    """The answer to a session being opened (``created`` False: it was already)."""

    session: EnrolmentSession
    created: bool
    receipt: dict
    violations: list[str]


@dataclass(slots=True)
class SessionCloseResult:
    """The answer to a session being closed (``created`` False: it was already)."""

    session: EnrolmentSession
    created: bool
    receipt: dict


def session_open(
    partner: Partner, data: SessionOpenIn, *, credential: ApiCredential | None
) -> SessionResult:
    """Open an enrolment session: record it in the partner's log and return its receipt.

    Idempotent on ``client_session_id``: a resent session comes back with
    ``created=False`` and its original receipt and violations; the id reused
    for a session with other content is ``IdempotencyConflict`` (409). Breaches of
    the authorisation (region, purpose, dates, hours, partner status, agent)
    are recorded as violations, never refused.
    """
    require_kind(partner, PartnerKind.ENROLMENT_PARTNER)
    test = is_test(credential)
    with transaction.atomic():
        # First, before the idempotency check: the lock serialises the partner's writes.
        log = log_for_update(partner.log_id_for(test=test))
        existing = (
            EnrolmentSession.objects.select_related("ledger_entry")
            .filter(partner_id=partner.pk, test=test, client_session_id=data.client_session_id)
            .first()
        )
        if existing is not None:
            receipt = entry_receipt(existing.ledger_entry)
            stored = tuple(getattr(existing, field.column) for field in SESSION_CONTENT)
            differs = differences(
                SESSION_CONTENT, stored_content(stored), content_of(SESSION_CONTENT, data)
            )
            if differs:
                raise IdempotencyConflict(
                    [
                        conflict(
                            "client_session_id",
                            data.client_session_id,
                            differs,
                            earlier="",
                            receipt=receipt,
                        )
                    ]
                )
            return SessionResult(existing, False, receipt, existing.violation_list)

        scope = PartnerScope.load(partner).check(
            region_code=data.region_code, purpose=data.purpose, fields=None, at=data.opened_at
        )
        agent_id, agent_violation = agent_check(
            agents_of(partner, [data.agent_code]), data.agent_code, data.opened_at
        )
        violations = violations_in_order(
            [*scope.violations, *([agent_violation] if agent_violation else [])]
        )

        session_id = uuid.uuid4()
        identity = data.identity
        body = {
            "session": str(session_id),
            "client_session_id": data.client_session_id,
            "agent": data.agent_code,
            "identity_ref": identity.identity_ref,
            "id_region_code": identity.region_code,
            "birth_year": identity.birth_year,
            "purpose": data.purpose,
            "region_code": data.region_code,
            "device_ref": data.device_ref,
            "consent_ref": data.consent_ref or None,
            "opened_at": format_time(data.opened_at),
            "credential": credential_id(credential),
            "violations": violations,
        }
        [entry] = append_entries(log, [(IngestionKind.SESSION_OPENED.value, body)])
        session = EnrolmentSession.objects.create(
            id=session_id,
            partner=partner,
            test=test,
            client_session_id=data.client_session_id,
            agent_code=data.agent_code,
            agent_id=agent_id,
            identity_ref=identity.identity_ref,
            id_region_code=identity.region_code,
            birth_year=identity.birth_year,
            purpose=data.purpose,
            region_code=data.region_code,
            device_ref=data.device_ref,
            consent_ref=data.consent_ref,
            opened_at=data.opened_at,
            violations=join_violations(violations),
            ledger_entry=entry,
            ledger_seq=entry.seq,
        )
        return SessionResult(session, True, entry_receipt(entry), violations)


def session_close(
    partner: Partner,
    session_id: uuid.UUID,
    data: SessionCloseIn,
    *,
    credential: ApiCredential | None = None,
) -> SessionCloseResult:
    """Close one of the partner's sessions: record it and return the receipt.

    Resending the same close (same time and outcome) returns the original
    receipt with ``created=False``; a different close of a closed session is
    ``SessionAlreadyClosed`` (409). Another partner's session is
    ``SessionNotFound`` (404), exactly as a session that does not exist.
    """
    require_kind(partner, PartnerKind.ENROLMENT_PARTNER)
    test = is_test(credential)
    with transaction.atomic():
        log = log_for_update(partner.log_id_for(test=test))
        session = (
            EnrolmentSession.objects.select_related("close_entry")
            .filter(partner_id=partner.pk, test=test, pk=session_id)
            .first()
        )
        if session is None:
            raise SessionNotFound()
        if session.close_entry_id is not None:
            if session.closed_at == data.closed_at and session.outcome == data.outcome:
                return SessionCloseResult(session, False, entry_receipt(session.close_entry))
            raise SessionAlreadyClosed(
                _("The session was closed at %(at)s as %(outcome)s.")
                % {"at": format_time(session.closed_at), "outcome": session.outcome}
            )
        if data.closed_at < session.opened_at:
            raise ValidationFailed(
                [
                    {
                        "field": "closed_at",
                        "code": "invalid_datetime",
                        "message": "Must not be before the session's opened_at.",
                    }
                ]
            )
        body = {
            "session": str(session.pk),
            "client_session_id": session.client_session_id,
            "closed_at": format_time(data.closed_at),
            "outcome": data.outcome,
            "credential": credential_id(credential),
        }
        [entry] = append_entries(log, [(IngestionKind.SESSION_CLOSED.value, body)])
        EnrolmentSession.objects.filter(pk=session.pk).update(
            closed_at=data.closed_at, outcome=data.outcome, close_entry=entry, close_seq=entry.seq
        )
        session.closed_at, session.outcome, session.close_entry, session.close_seq = (
            data.closed_at,
            data.outcome,
            entry,
            entry.seq,
        )
        return SessionCloseResult(session, True, entry_receipt(entry))
