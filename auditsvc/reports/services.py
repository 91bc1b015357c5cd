"""Producing a resident's access report: read, sign, record in the bureau log, forget the number.

The caller (the admin page) turns the typed identity number into an
``Identity`` (pseudonym, division code, birth year) and drops the number;
nothing here ever sees it. The report is signed with the entry-signing key
(``auditsvc-report/1``) and its production is a bureau-log entry naming the
actor, the pseudonym, the counts and the SHA-256 of the signed document, in
the same transaction as the read: no report is handed over unrecorded.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from auditsvc.base.actors import actor_fields
from auditsvc.base.identities import Identity
from auditsvc.core.canonical import format_time
from auditsvc.core.documents import REPORT, document_digest
from auditsvc.ingestion.models import AccessEvent, AccountEvent, EnrolmentSession
from auditsvc.ledger.documents import document_sign
from auditsvc.ledger.models import BUREAU_LOG_ID, LedgerEntry
from auditsvc.ledger.services import entry_receipt, ledger_append
from partners.errors import NotPermitted

from .kinds import ReportKind
from .models import AccessReport
from .selectors import ReportRecords, report_records

__all__ = ["PRODUCE_PERMISSION", "ProducedReport", "report_document", "report_produce"]

PRODUCE_PERMISSION = "reports.add_accessreport"


@dataclass(frozen=True)
class ProducedReport:
    """A report as produced: its record row, the signed JSON object, and the rows it lists."""

    report: AccessReport
    signed: dict[str, Any]
    records: ReportRecords


def _time(value) -> str | None:
    return format_time(value) if value is not None else None


def _receipt(entry: LedgerEntry | None) -> dict[str, Any] | None:
    return entry_receipt(entry) if entry is not None else None


def _partner(record) -> dict[str, str]:
    return {"code": record.partner.code, "legal_name": record.partner.legal_name}


def _agent(record) -> dict[str, Any]:
    # The code the partner reported; the name only if that code is a registered agent.
    return {"code": record.agent_code, "name": record.agent.name if record.agent else None}


def _session(session: EnrolmentSession) -> dict[str, Any]:
    return {
        "id": str(session.pk),
        "partner": _partner(session),
        "agent": _agent(session),
        "purpose": session.purpose,
        "region_code": session.region_code,
        "opened_at": _time(session.opened_at),
        "closed_at": _time(session.closed_at),
        "outcome": session.outcome or None,
        "violations": session.violation_list,
        "receipt": _receipt(session.ledger_entry),
        "close_receipt": _receipt(session.close_entry),
    }


def _access(access: AccessEvent) -> dict[str, Any]:
    return {
        "partner": _partner(access),
        "agent": _agent(access),
        "session": str(access.session_id) if access.session_id else None,
        "fields": list(access.fields),
        "purpose": access.purpose,
        "occurred_at": _time(access.occurred_at),
        "recorded_at": _time(access.recorded_at),
        "violations": access.violation_list,
        "receipt": _receipt(access.ledger_entry),
    }


def _account(event: AccountEvent) -> dict[str, Any]:
    return {
        "platform": _partner(event),
        "action": event.action,
        "channel": event.channel,
        "account_ref": event.account_ref,
        "occurred_at": _time(event.occurred_at),
        "recorded_at": _time(event.recorded_at),
        "violations": event.violation_list,
        "receipt": _receipt(event.ledger_entry),
    }


def report_document(
    report_id: uuid.UUID, produced_at, identity: Identity, records: ReportRecords
) -> dict[str, Any]:
    """The document of a resident's access report (signed as ``auditsvc-report/1``).

    The resident is named by pseudonym, division code and birth year, never
    by number. Each record carries its partner (or platform), agent, times
    (UTC), purpose, fields, violations and the receipt of its ledger entry,
    which anyone can check against the partner's log.
    """
    return {
        "report": str(report_id),
        "issuer": {"name": settings.AUDITSVC_BUREAU_NAME, "origin": settings.AUDITSVC_ORIGIN},
        "produced_at": format_time(produced_at),
        "resident": {
            "identity_ref": identity.identity_ref,
            "id_region_code": identity.region_code,
            "birth_year": identity.birth_year,
        },
        "complete": records.complete,
        "counts": records.counts,
        "sessions": [_session(session) for session in records.sessions],
        "accesses": [_access(access) for access in records.accesses],
        "account_events": [_account(event) for event in records.accounts],
    }


def report_produce(identity: Identity, *, actor) -> ProducedReport:
    """Produce a resident's access report, sign it, and record its production.

    Needs ``reports.add_accessreport`` (bureau staff; NotPermitted otherwise).
    The bureau-log entry (``report.produced``) holds the actor, the report id,
    the pseudonym, the counts and the SHA-256 of the document; the
    ``AccessReport`` row holds the same. The identity number is not an input.
    """
    if actor is None or not actor.has_perm(PRODUCE_PERMISSION):
        raise NotPermitted(
            _("Producing an access report needs the %(permission)s permission.")
            % {"permission": PRODUCE_PERMISSION}
        )
    report_id = uuid.uuid4()
    with transaction.atomic():
        produced_at = timezone.now()
        records = report_records(identity.identity_ref)
        document = report_document(report_id, produced_at, identity, records)
        signed = document_sign(REPORT, document)
        digest = document_digest(document).hex()
        entry = ledger_append(
            BUREAU_LOG_ID,
            ReportKind.REPORT_PRODUCED,
            {
                **actor_fields(actor),
                "report": str(report_id),
                "identity_ref": identity.identity_ref,
                "counts": records.counts,
                "complete": records.complete,
                "document_sha256": digest,
                "key_id": signed["key_id"],
                "produced_at": format_time(produced_at),
            },
        )
        report = AccessReport.objects.create(
            id=report_id,
            produced_at=produced_at,
            produced_by=actor,
            identity_ref=identity.identity_ref,
            sessions=len(records.sessions),
            accesses=len(records.accesses),
            account_events=len(records.accounts),
            document_sha256=digest,
            key_id=signed["key_id"],
            ledger_seq=entry.seq,
        )
    return ProducedReport(report=report, signed=signed, records=records)
