"""Recording the staff resident lookup (who looked up whom is evidence too)."""

from __future__ import annotations

from django.db import transaction

from auditsvc.base.actors import actor_fields
from auditsvc.ledger.models import BUREAU_LOG_ID, LedgerEntry
from auditsvc.ledger.services import ledger_append

from ..kinds import IngestionKind
from ..selectors import ResidentRecords, resident_records


def resident_lookup(actor, identity_ref: str) -> tuple[ResidentRecords, LedgerEntry]:
    """Every record about the resident ``identity_ref``; the lookup is signed into the bureau log.

    Looking a resident up reveals who served them: a staff member browsing
    residents must leave a trace. The entry holds the actor's username, the
    pseudonym (never the number) and how many records were found; it commits
    with the read, so no result is shown that was not recorded.
    """
    with transaction.atomic():
        records = resident_records(identity_ref)
        found = len(records.sessions) + len(records.accesses) + len(records.accounts)
        entry = ledger_append(
            BUREAU_LOG_ID,
            IngestionKind.RESIDENT_LOOKUP,
            {**actor_fields(actor), "identity_ref": identity_ref, "found": found},
        )
    return records, entry
