"""The ledger entry kinds the site writes to the bureau log (registered in ``apps.py``).

Who may do what in the admin is itself evidence: every role granted or
removed, every second factor added, renewed or reset is an entry naming the
person it concerns and the actor, each by id and username.
"""

from enum import StrEnum


class SiteKind(StrEnum):
    ROLE_GRANTED = "role.granted"
    ROLE_REMOVED = "role.removed"
    AUTHENTICATOR_ADDED = "second_factor.authenticator_added"
    BACKUP_CODES_RENEWED = "second_factor.backup_codes_renewed"
    SECOND_FACTOR_RESET = "second_factor.reset"
