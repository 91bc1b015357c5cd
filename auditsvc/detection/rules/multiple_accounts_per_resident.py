"""multiple_accounts_per_resident: residents given a second account within weeks.

The gang opened accounts in villagers' names, often more than one. For each
local day a platform reports new accounts, count the residents among them
who already had another account (any platform) opened in the previous
DETECTION_ACCOUNTS_PER_RESIDENT_DAYS days. One alert per platform and day
from DETECTION_ACCOUNTS_PER_RESIDENT_MIN such residents (high from
DETECTION_ACCOUNTS_PER_RESIDENT_HIGH). A single second account (a bank and a
payment app) is ordinary; many in a day at one platform is not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count

from auditsvc.ingestion.models import AccountEvent
from partners.choices import PartnerKind

from ..choices import RuleCode, Severity, SubjectKind
from ._base import Finding, Rule, Scope, day_bounds, days_touched, new_records


class MultipleAccountsPerResident(Rule):
    code = RuleCode.MULTIPLE_ACCOUNTS_PER_RESIDENT
    partner_kinds = frozenset({PartnerKind.ACCOUNT_PLATFORM})

    def findings(self, scope: Scope) -> Iterable[Finding]:
        opened = AccountEvent.objects.filter(test=False, action=AccountEvent.Action.OPENED)
        new = new_records(opened, scope)
        for day in sorted(days_touched(new)):
            start, end = day_bounds(day)
            days = settings.DETECTION_ACCOUNTS_PER_RESIDENT_DAYS
            todays = opened.filter(
                partner_id=scope.partner.pk, occurred_at__gte=start, occurred_at__lt=end
            )
            residents = (
                opened.filter(
                    identity_ref__in=todays.values("identity_ref"),
                    occurred_at__gte=end - dt.timedelta(days=days),
                    occurred_at__lt=end,
                )
                .values("identity_ref")
                .annotate(accounts=Count("account_ref", distinct=True))
                .filter(accounts__gte=2)
            )
            count = residents.count()
            if count < settings.DETECTION_ACCOUNTS_PER_RESIDENT_MIN:
                continue
            high = count >= settings.DETECTION_ACCOUNTS_PER_RESIDENT_HIGH
            yield Finding(
                rule=self.code,
                partner_id=scope.partner.pk,
                subject_kind=SubjectKind.PARTNER,
                subject_ref=scope.partner.code,
                window_start=start,
                window_end=end,
                severity=Severity.HIGH if high else Severity.MEDIUM,
                evidence_code=self.code,
                numbers={
                    "partner": scope.partner.code,
                    "day": day.isoformat(),
                    "residents": count,
                    "days": days,
                },
                records=[todays.filter(identity_ref__in=residents.values("identity_ref"))],
            )
