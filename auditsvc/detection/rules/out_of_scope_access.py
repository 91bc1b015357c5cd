"""out_of_scope_access: accesses and sessions outside what the authorisation allows.

Region, purpose, fields, dates or hours not authorised, an unregistered or
suspended agent: each is a violation found on arrival. One alert per agent
and local day, naming the codes; severity by the residents touched.
"""

from __future__ import annotations

from ..choices import RuleCode
from ._violations import ViolationRule


class OutOfScopeAccess(ViolationRule):
    code = RuleCode.OUT_OF_SCOPE_ACCESS
    codes = (
        "authorisation_expired",
        "region_not_authorised",
        "purpose_not_authorised",
        "field_not_permitted",
        "outside_hours",
        "agent_unknown",
        "agent_suspended",
    )
    sources = ("access", "session")
