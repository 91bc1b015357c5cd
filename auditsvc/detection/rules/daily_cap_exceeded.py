"""daily_cap_exceeded: accesses beyond the authorisation's daily cap (per agent or partner).

Ingestion counts every Asia/Shanghai day per partner and per agent and flags
each access past a cap. One alert per agent and day; the count is how many
accesses went past the cap.
"""

from __future__ import annotations

from ..choices import RuleCode
from ._violations import ViolationRule


class DailyCapExceeded(ViolationRule):
    code = RuleCode.DAILY_CAP_EXCEEDED
    codes = ("daily_cap_exceeded",)
