"""access_without_session: identity reads with no open enrolment session for that resident.

Ingestion flags ``no_open_session`` (no session, another partner's or
another resident's, or not open at the time). One alert per agent and day;
the evidence says how many came in the evening (20:00-06:00), when no
enrolment desk is open: the bulk reads of the Dengzhou pattern.
"""

from __future__ import annotations

from ..choices import RuleCode
from ._violations import ViolationRule


class AccessWithoutSession(ViolationRule):
    code = RuleCode.ACCESS_WITHOUT_SESSION
    codes = ("no_open_session",)

    def extra_numbers(self, totals: dict) -> dict:
        return {"evening": totals["evening"]}
