"""Reads of what partners reported."""

from __future__ import annotations

from dataclasses import dataclass

from .models import AccessEvent, AccountEvent, EnrolmentSession


@dataclass(frozen=True)
class ResidentRecords:
    """Everything reported about one resident (newest first, at most ``limit`` of each)."""

    sessions: list[EnrolmentSession]
    accesses: list[AccessEvent]
    accounts: list[AccountEvent]
    limit: int
    truncated: bool


def resident_records(identity_ref: str, *, limit: int = 200) -> ResidentRecords:
    """Sessions, identity accesses and account events about the resident ``identity_ref``.

    Answers "who accessed my data?" for every partner at once. Each list is
    read with one query (partner and ledger entry joined) and holds at most
    ``limit`` rows; ``truncated`` tells whether any list had more.
    """
    sessions = list(
        EnrolmentSession.objects.filter(identity_ref=identity_ref)
        .select_related("partner", "ledger_entry")
        .defer("ledger_entry__canonical")
        .order_by("-opened_at")[: limit + 1]
    )
    accesses = list(
        AccessEvent.objects.filter(identity_ref=identity_ref)
        .select_related("partner", "ledger_entry")
        .defer("ledger_entry__canonical")
        .order_by("-occurred_at", "-pk")[: limit + 1]
    )
    accounts = list(
        AccountEvent.objects.filter(identity_ref=identity_ref)
        .select_related("partner", "ledger_entry")
        .defer("ledger_entry__canonical")
        .order_by("-occurred_at", "-pk")[: limit + 1]
    )
    truncated = any(len(rows) > limit for rows in (sessions, accesses, accounts))
    return ResidentRecords(
        sessions[:limit], accesses[:limit], accounts[:limit], limit=limit, truncated=truncated
    )
