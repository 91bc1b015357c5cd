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
from django.db.models import Count, Q
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

    def extra_numbers(self, totals: dict) -> dict:
        return {}

    def _totals(self, scope: Scope, keys: set[tuple[str, dt.date]]) -> dict:
        """Records, residents, evening records and codes of every key, one query per source.

        Residents are distinct within a source; with two sources (a session and
        its accesses, usually of the same resident) the larger count is kept.
        """
        days = sorted({day for _subject, day in keys})
        start, _ = day_bounds(days[0])
        _, end = day_bounds(days[-1])
        totals: dict = {
            key: {"n": 0, "residents": 0, "evening": 0, "by_code": defaultdict(int)} for key in keys
        }
        for source in self.sources:
            model, time_field = SOURCES[source]
            subject = self._subject_of(source)
            hour = ExtractHour(time_field, tzinfo=SHANGHAI)
            rows = (
                model.objects.filter(
                    violation_filter(self.codes),
                    partner_id=scope.partner.pk,
                    test=False,
                    **{f"{time_field}__gte": start, f"{time_field}__lt": end},
                )
                .annotate(_day=TruncDate(time_field, tzinfo=SHANGHAI), _hour=hour)
                .values(*([subject] if subject else []), "_day")
                .annotate(
                    n=Count("id"),
                    residents=Count("identity_ref", distinct=True),
                    evening=Count("id", filter=Q(_hour__gte=20) | Q(_hour__lt=6)),
                    **{
                        f"c_{code}": Count("id", filter=violation_filter([code]))
                        for code in self.codes
                    },
                )
                .order_by()
            )
            for row in rows:
                key = (row[subject] if subject else "", row["_day"])
                if key not in totals:
                    continue
                total = totals[key]
                total["n"] += row["n"]
                total["residents"] = max(total["residents"], row["residents"])
                total["evening"] += row["evening"]
                for code in self.codes:
                    total["by_code"][code] += row[f"c_{code}"]
        return totals

    def findings(self, scope: Scope) -> Iterable[Finding]:
        keys = self._keys(scope)
        if not keys:
            return
        totals = self._totals(scope, keys)
        for subject_ref, day in sorted(keys):
            total = totals[(subject_ref, day)]
            if total["n"] == 0:
                continue
            start, end = day_bounds(day)
            kind = SubjectKind.AGENT if subject_ref else SubjectKind.PARTNER
            by_code = {code: n for code, n in total["by_code"].items() if n}
            numbers = {
                "partner": scope.partner.code,
                "agent": subject_ref,
                "day": day.isoformat(),
                "count": total["n"],
                "residents": total["residents"],
                "by_code": by_code,
                "codes": ", ".join(by_code),
                **self.extra_numbers(total),
            }
            yield Finding(
                rule=self.code,
                partner_id=scope.partner.pk,
                subject_kind=kind,
                subject_ref=subject_ref or scope.partner.code,
                window_start=start,
                window_end=end,
                severity=self.severity(total["residents"], total["n"]),
                evidence_code=self.code,
                numbers=numbers,
                records=[
                    self._day_records(source, scope.partner.pk, subject_ref, day)
                    for source in self.sources
                ],
            )
