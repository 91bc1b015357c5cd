"""The ledger entry kinds the reports app writes (registered with the ledger in ``apps.py``)."""

from enum import StrEnum


class ReportKind(StrEnum):
    # In the bureau log: a member of staff produced a resident's access report.
    REPORT_PRODUCED = "report.produced"
