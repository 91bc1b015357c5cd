"""The ledger entry kinds the registry writes to the bureau log (registered in ``apps.py``)."""

from enum import StrEnum


class RegistryKind(StrEnum):
    PARTNER_REGISTERED = "partner.registered"
    PARTNER_VETTING = "partner.vetting"
    PARTNER_DOCUMENT_ADDED = "partner.document_added"
    AUTHORISATION_GRANTED = "authorisation.granted"
    AUTHORISATION_REVOKED = "authorisation.revoked"
    AGENT_REGISTERED = "agent.registered"
    AGENT_STATUS_CHANGED = "agent.status_changed"
    CREDENTIAL_ISSUED = "credential.issued"
    CREDENTIAL_REVOKED = "credential.revoked"
    STAFF_TOKEN_ISSUED = "staff_token.issued"  # noqa: S105 (a ledger kind)
    STAFF_TOKEN_REVOKED = "staff_token.revoked"  # noqa: S105 (a ledger kind)
    LETTER_ISSUED = "letter.issued"
    LETTER_REVOKED = "letter.revoked"
