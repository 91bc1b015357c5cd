"""Rules fed by the violations ingestion found on arrival: one alert per subject and local day.

Each record that broke the authorisation carries its violation codes; a
rule of this family takes the records with its codes, and for every
(subject, Asia/Shanghai day) that new entries touch, recounts that whole
day in the database (records, distinct residents, codes), so a late record
updates the day's alert instead of adding one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import ClassVar

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractHour, TruncDate

from auditsvc.ingestion.models import AccessEvent, AccountEvent, EnrolmentSession
from partners.choices import PartnerKind

from ..choices import Severity, SubjectKind
from ._base import SHANGHAI, Finding, Rule, Scope, day_bounds, new_records

#: Each source of violations and the field holding its time.
SOURCES: dict[str, tuple[type, str]] = {
    "access": (AccessEvent, "occurred_at"),
    "session": (EnrolmentSession, "opened_at"),
    "account": (AccountEvent, "occurred_at"),
}


def violation_filter(codes: Iterable[str]) -> Q:
    query = Q()
    for code in codes:
        query |= Q(violations__contains=f",{code},")
    return query


class ViolationRule(Rule):
    """One alert per subject and day for records carrying any of ``codes``."""

    codes: ClassVar[tuple[str, ...]]
    sources: ClassVar[tuple[str, ...]] = ("access",)
    #: partner: one alert for the partner; agent: one per agent code.
    subject: ClassVar[str] = SubjectKind.AGENT
    partner_kinds = frozenset({PartnerKind.ENROLMENT_PARTNER})

    def severity(self, residents: int, count: int) -> str:
        if residents >= settings.DETECTION_VIOLATIONS_HIGH_RESIDENTS:
            return Severity.HIGH
        if residents >= settings.DETECTION_VIOLATIONS_MEDIUM_RESIDENTS:
            return Severity.MEDIUM
        return Severity.LOW

    def _subject_of(self, source: str) -> str | None:
        # Account events have no agent: the platform itself is the subject.
        if self.subject == SubjectKind.AGENT and source != "account":
            return "agent_code"
        return None

    def _keys(self, scope: Scope) -> set[tuple[str, dt.date]]:
        keys = set()
        matching = violation_filter(self.codes)
        for source in self.sources:
            model, time_field = SOURCES[source]
            subject = self._subject_of(source)
            rows = (
                new_records(model.objects.all(), scope)
                .filter(matching)
                .annotate(_day=TruncDate(time_field, tzinfo=SHANGHAI))
                .values_list(*([subject] if subject else []), "_day")
                .distinct()
                .order_by()
            )
            for row in rows:
                keys.add((row[0], row[1]) if subject else ("", row[0]))
        return keys

    def _day_records(self, source: str, partner_id: int, subject_ref: str, day: dt.date):
        model, time_field = SOURCES[source]
        start, end = day_bounds(day)
        records = model.objects.filter(
            violation_filter(self.codes),
            partner_id=partner_id,
            test=False,
            **{f"{time_field}__gte": start, f"{time_field}__lt": end},
        )
        subject = self._subject_of(source)
        if subject and subject_ref:
            records = records.filter(**{subject: subject_ref})
        return records

    def extra_numbers(self, records: dict[str, QuerySet]) -> dict:
        return {}

    def findings(self, scope: Scope) -> Iterable[Finding]:
        keys = self._keys(scope)
        for subject_ref, day in sorted(keys):
            records = {
                source: self._day_records(source, scope.partner.pk, subject_ref, day)
                for source in self.sources
            }
            count = 0
            residents: set[str] = set()
            by_code: dict[str, int] = defaultdict(int)
            for queryset in records.values():
                totals = queryset.aggregate(
                    n=Count("id"),
                    **{
                        f"c_{code}": Count("id", filter=violation_filter([code]))
                        for code in self.codes
                    },
                )
                count += totals["n"]
                for code in self.codes:
                    by_code[code] += totals[f"c_{code}"]
                residents.update(queryset.values_list("identity_ref", flat=True).distinct())
            if count == 0:
                continue
            start, end = day_bounds(day)
            kind = SubjectKind.AGENT if subject_ref else SubjectKind.PARTNER
            numbers = {
                "partner": scope.partner.code,
                "agent": subject_ref,
                "day": day.isoformat(),
                "count": count,
                "residents": len(residents),
                "by_code": {code: n for code, n in by_code.items() if n},
                "codes": ", ".join(code for code, n in by_code.items() if n),
                **self.extra_numbers(records),
            }
            yield Finding(
                rule=self.code,
                partner_id=scope.partner.pk,
                subject_kind=kind,
                subject_ref=subject_ref or scope.partner.code,
                window_start=start,
                window_end=end,
                severity=self.severity(len(residents), count),
                evidence_code=self.code,
                numbers=numbers,
                records=list(records.values()),
            )


def evening_count(accesses: QuerySet) -> int:
    """Accesses between 20:00 and 06:00 Asia/Shanghai time."""
    return (
        accesses.annotate(_hour=ExtractHour("occurred_at", tzinfo=SHANGHAI))
        .filter(Q(_hour__gte=20) | Q(_hour__lt=6))
        .count()
    )
