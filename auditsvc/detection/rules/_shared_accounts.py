"""shared_device_accounts, shared_phone_accounts: one device or phone, many residents' accounts.

Residents open accounts from their own phones; the Dengzhou accounts came
from the gang's few phones and devices. Per platform and per block of
DETECTION_SHARED_WINDOW_DAYS days (Monday-aligned weeks by default), the
distinct residents whose accounts were opened or bound from one device (or
given one phone number) are counted; from DETECTION_SHARED_MIN_RESIDENTS it
is high (a ring pattern), from DETECTION_SHARED_CRITICAL_RESIDENTS critical.
Two residents of one household sharing a phone stay below the threshold.
The subject is the pseudonym (``device_ref``, ``phone_ref``), never a raw value.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import ClassVar

from django.conf import settings
from django.db.models import Count, Max, Min
from django.db.models.functions import TruncDate

from auditsvc.ingestion.models import AccountEvent
from partners.choices import PartnerKind

from ..choices import Severity
from ._base import SHANGHAI, Finding, Rule, Scope, day_bounds, local_day, new_records
from .account_opened_near_session import ACCOUNT_ACTIONS

#: Blocks of days are counted from this Monday.
_EPOCH = dt.date(2024, 1, 1)


def block_start(day: dt.date) -> dt.date:
    size = settings.DETECTION_SHARED_WINDOW_DAYS
    return day - dt.timedelta(days=(day - _EPOCH).days % size)


class SharedAccounts(Rule):
    field: ClassVar[str]
    subject: ClassVar[str]
    partner_kinds = frozenset({PartnerKind.ACCOUNT_PLATFORM})

    def findings(self, scope: Scope) -> Iterable[Finding]:
        accounts = AccountEvent.objects.filter(test=False, action__in=ACCOUNT_ACTIONS)
        touched = (
            new_records(accounts, scope)
            .exclude(**{self.field: ""})
            .annotate(_day=TruncDate("occurred_at", tzinfo=SHANGHAI))
            .values_list(self.field, "_day")
            .distinct()
            .order_by()
        )
        refs_by_block: dict[dt.date, set[str]] = defaultdict(set)
        for ref, day in touched:
            refs_by_block[block_start(day)].add(ref)
        size = settings.DETECTION_SHARED_WINDOW_DAYS
        # One grouped query per block of days (a run usually touches one or two).
        for first_day, refs in sorted(refs_by_block.items()):
            start, end = day_bounds(first_day, days=size)
            in_block = accounts.filter(
                partner_id=scope.partner.pk, occurred_at__gte=start, occurred_at__lt=end
            )
            rows = (
                in_block.filter(**{f"{self.field}__in": refs})
                .values(self.field)
                .annotate(
                    residents=Count("identity_ref", distinct=True),
                    n=Count("account_ref", distinct=True),
                    first=Min("occurred_at"),
                    last=Max("occurred_at"),
                )
                .filter(residents__gte=settings.DETECTION_SHARED_MIN_RESIDENTS)
                .order_by(self.field)
            )
            for row in rows:
                ref = row[self.field]
                critical = row["residents"] >= settings.DETECTION_SHARED_CRITICAL_RESIDENTS
                yield Finding(
                    rule=self.code,
                    partner_id=scope.partner.pk,
                    subject_kind=self.subject,
                    subject_ref=ref,
                    window_start=start,
                    window_end=end,
                    severity=Severity.CRITICAL if critical else Severity.HIGH,
                    evidence_code=self.code,
                    numbers={
                        "partner": scope.partner.code,
                        "residents": row["residents"],
                        "count": row["n"],
                        # The days the accounts were opened, not the block's: a block
                        # still running would otherwise name days yet to come.
                        "from": local_day(row["first"]).isoformat(),
                        "to": local_day(row["last"]).isoformat(),
                    },
                    records=[in_block.filter(**{self.field: ref})],
                )
