"""Helpers for the partner-registry tests: reading the bureau log, complete document sets."""

from __future__ import annotations

import json

from django.conf import settings

from auditsvc.ledger.models import BUREAU_LOG_ID, LedgerEntry
from tests import factories


def bureau_entries(kind: str | None = None) -> list[LedgerEntry]:
    """Entries of the bureau log (optionally of one kind), in seq order."""
    entries = LedgerEntry.objects.filter(log_id=BUREAU_LOG_ID).order_by("seq")
    if kind is not None:
        entries = entries.filter(kind=kind)
    return list(entries)


def entry_body(entry: LedgerEntry) -> dict:
    """The body of a ledger entry, as it was signed."""
    return json.loads(entry.canonical)["body"]


def ledger_size() -> int:
    """Entries in every log: a refused action must leave it unchanged."""
    return LedgerEntry.objects.count()


def add_required_documents(partner, **kwargs) -> None:
    """One current document of every required type."""
    for doc_type in settings.AUDITSVC_REQUIRED_DOCUMENTS:
        factories.DocumentFactory(partner=partner, doc_type=doc_type, **kwargs)
