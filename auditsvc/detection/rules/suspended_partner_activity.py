"""suspended_partner_activity: records from a partner that was not approved at the time.

Ingestion flags them ``partner_not_approved`` (and keeps them: evidence).
One alert per partner and local day, for enrolment partners and account
platforms alike. A partner reading identities while suspended is at least
high; critical from DETECTION_VIOLATIONS_HIGH_RESIDENTS residents in a day.
"""

from __future__ import annotations

from django.conf import settings

from partners.choices import PartnerKind

from ..choices import RuleCode, Severity, SubjectKind
from ._violations import ViolationRule


class SuspendedPartnerActivity(ViolationRule):
    code = RuleCode.SUSPENDED_PARTNER_ACTIVITY
    codes = ("partner_not_approved",)
    sources = ("access", "session", "account")
    subject = SubjectKind.PARTNER
    partner_kinds = frozenset({PartnerKind.ENROLMENT_PARTNER, PartnerKind.ACCOUNT_PLATFORM})

    def severity(self, residents: int, count: int) -> str:
        if residents >= settings.DETECTION_VIOLATIONS_HIGH_RESIDENTS:
            return Severity.CRITICAL
        return Severity.HIGH
