"""The partner registry: who a partner is, what it proved, who vetted it, what it may do.

One module per concern; everything is importable from ``partners.models``.
"""

from __future__ import annotations

from .credentials import ApiCredential, StaffToken
from .letters import Letter
from .registry import (
    SHANGHAI,
    Partner,
    PartnerQuerySet,
    QualificationDocument,
    VettingDecision,
    document_upload_to,
    local_day,
)
from .scope import Agent, AgentStatusChange, Authorisation

__all__ = [
    "SHANGHAI",
    "Agent",
    "AgentStatusChange",
    "ApiCredential",
    "Authorisation",
    "Letter",
    "Partner",
    "PartnerQuerySet",
    "QualificationDocument",
    "StaffToken",
    "VettingDecision",
    "document_upload_to",
    "local_day",
]
