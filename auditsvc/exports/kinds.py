"""The ledger entry kinds the exports app writes (registered with the ledger in ``apps.py``)."""

from enum import StrEnum


class ExportKind(StrEnum):
    # In the bureau log: someone asked for an export bundle (who, which log, which range).
    EXPORT_REQUESTED = "export.requested"
    # In the bureau log: someone downloaded an export bundle.
    EXPORT_DOWNLOADED = "export.downloaded"
