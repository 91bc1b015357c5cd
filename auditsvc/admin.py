"""Admin registrations of the audit app live next to their code."""

from auditsvc.ingestion import admin as ingestion_admin  # noqa: F401
from auditsvc.ledger import admin as ledger_admin  # noqa: F401
