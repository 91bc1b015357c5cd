"""Reads for a resident's access report: every live record about one pseudonym.

Only live records: what a partner sent with a test key (``test``) is kept
apart in its test log and is not about any real resident's data.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditsvc.ingestion.models import AccessEvent, AccountEvent, EnrolmentSession

__all__ = ["REPORT_LIMIT", "ReportRecords", "report_records"]

#: Rows of each kind a report holds at most. Far above anything an honest
#: partner reports about one person; past it the report says it is incomplete.
REPORT_LIMIT = 10_000


@dataclass(frozen=True)
class ReportRecords:
    """Everything reported about one resident, oldest first (a report reads as a history)."""

    sessions: list[EnrolmentSession]
    accesses: list[AccessEvent]
    accounts: list[AccountEvent]
    complete: bool

    @property
    def counts(self) -> dict[str, int]:
        return {
            "sessions": len(self.sessions),
            "accesses": len(self.accesses),
            "account_events": len(self.accounts),
        }


def report_records(identity_ref: str, *, limit: int = REPORT_LIMIT) -> ReportRecords:
    """Live sessions, identity accesses and account events about ``identity_ref``.

    One query per kind, with the partner, the registered agent and the ledger
    entries (receipts) joined; each list holds at most ``limit`` rows, and
    ``complete`` is false if any had more.
    """
    sessions = list(
        EnrolmentSession.objects.filter(identity_ref=identity_ref, test=False)
        .select_related("partner", "agent", "ledger_entry", "close_entry")
        .defer("ledger_entry__canonical", "close_entry__canonical")
        .order_by("opened_at", "pk")[: limit + 1]
    )
    accesses = list(
        AccessEvent.objects.filter(identity_ref=identity_ref, test=False)
        .select_related("partner", "agent", "ledger_entry")
        .defer("ledger_entry__canonical")
        .order_by("occurred_at", "pk")[: limit + 1]
    )
    accounts = list(
        AccountEvent.objects.filter(identity_ref=identity_ref, test=False)
        .select_related("partner", "ledger_entry")
        .defer("ledger_entry__canonical")
        .order_by("occurred_at", "pk")[: limit + 1]
    )
    complete = all(len(rows) <= limit for rows in (sessions, accesses, accounts))
    return ReportRecords(sessions[:limit], accesses[:limit], accounts[:limit], complete=complete)
