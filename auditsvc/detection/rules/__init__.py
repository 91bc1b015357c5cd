"""The rules, one module each, and their registry (``RULES``: code -> rule)."""

from __future__ import annotations

from ._base import Finding, Rule, Scope
from .access_without_session import AccessWithoutSession
from .daily_cap_exceeded import DailyCapExceeded
from .out_of_scope_access import OutOfScopeAccess
from .suspended_partner_activity import SuspendedPartnerActivity

__all__ = ["RULES", "Finding", "Rule", "Scope"]

#: Every rule by its code, in the order they run.
RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        SuspendedPartnerActivity(),
        OutOfScopeAccess(),
        DailyCapExceeded(),
        AccessWithoutSession(),
    )
}
