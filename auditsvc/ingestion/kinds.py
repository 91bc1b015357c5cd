"""The ledger entry kinds ingestion writes (registered with the ledger in ``apps.py``)."""

from enum import StrEnum


class IngestionKind(StrEnum):
    # In a partner's log: what its software reported.
    SESSION_OPENED = "session.opened"
    SESSION_CLOSED = "session.closed"
    ACCESS_RECORDED = "access.recorded"
    ACCOUNT_RECORDED = "account.recorded"
    # In the bureau log: a member of staff looked a resident up.
    RESIDENT_LOOKUP = "resident.lookup"
