"""elderly_concentration: a partner (or agent) whose residents turn far older than its baseline.

Helping the elderly is ordinary work, so the share of residents aged
DETECTION_ELDERLY_AGE or over is never judged on its own: it is compared with
the subject's own previous DETECTION_VOLUME_BASELINE_DAYS days when they hold
at least DETECTION_ELDERLY_MIN_HISTORY residents, otherwise with the pooled
mix of the same regions over those days (all partners; the session's region,
or the identity number's division code without a session). It fires only
when all three hold: a one-sided exact binomial test gives
p < DETECTION_ELDERLY_P_VALUE, the day's sample is at least
DETECTION_ELDERLY_MIN_SAMPLE distinct residents, and the share is at least
DETECTION_ELDERLY_MIN_EXCESS_POINTS points above the baseline. A partner
whose residents are always old is not flagged; a mix turning sharply older,
or a new partner far older than its region, is (high: a ring pattern).
Age is the access year minus the birth year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate

from auditsvc.ingestion.models import AccessEvent
from partners.choices import PartnerKind

from ..choices import RuleCode, Severity, SubjectKind
from ._base import SHANGHAI, Finding, Rule, Scope, day_bounds, new_records
from ._stats import binomial_upper_tail


def _counts(accesses: QuerySet, oldest_birth_year: int) -> tuple[int, int]:
    totals = accesses.aggregate(
        n=Count("identity_ref", distinct=True),
        k=Count("identity_ref", distinct=True, filter=Q(birth_year__lte=oldest_birth_year)),
    )
    return totals["n"], totals["k"]


class ElderlyConcentration(Rule):
    code = RuleCode.ELDERLY_CONCENTRATION
    partner_kinds = frozenset({PartnerKind.ENROLMENT_PARTNER})

    def findings(self, scope: Scope) -> Iterable[Finding]:
        rows = (
            new_records(AccessEvent.objects.all(), scope)
            .annotate(_day=TruncDate("occurred_at", tzinfo=SHANGHAI))
            .values_list("agent_code", "_day")
            .distinct()
            .order_by()
        )
        keys = set(rows) | {("", day) for _agent, day in rows}
        for agent, day in sorted(keys):
            finding = self._evaluate(scope, agent, day)
            if finding is not None:
                yield finding

    def _evaluate(self, scope: Scope, agent: str, day: dt.date) -> Finding | None:
        start, end = day_bounds(day)
        born_by = day.year - settings.DETECTION_ELDERLY_AGE
        live = AccessEvent.objects.filter(test=False)
        subject = live.filter(partner_id=scope.partner.pk)
        if agent:
            subject = subject.filter(agent_code=agent)
        todays = subject.filter(occurred_at__gte=start, occurred_at__lt=end)
        n, k = _counts(todays, born_by)
        if n < settings.DETECTION_ELDERLY_MIN_SAMPLE:
            return None
        history_start, _ = day_bounds(
            day - dt.timedelta(days=settings.DETECTION_VOLUME_BASELINE_DAYS)
        )
        own_n, own_k = _counts(
            subject.filter(occurred_at__gte=history_start, occurred_at__lt=start), born_by
        )
        if own_n >= settings.DETECTION_ELDERLY_MIN_HISTORY:
            baseline, source = own_k / own_n, "own_history"
        else:
            baseline = self._region_baseline(live, todays, history_start, start, born_by)
            if baseline is None:
                return None
            source = "region"
        share = k / n
        excess_points = (share - baseline) * 100
        if excess_points < settings.DETECTION_ELDERLY_MIN_EXCESS_POINTS:
            return None
        p_value = binomial_upper_tail(k, n, baseline)
        if p_value >= settings.DETECTION_ELDERLY_P_VALUE:
            return None
        return Finding(
            rule=self.code,
            partner_id=scope.partner.pk,
            subject_kind=SubjectKind.AGENT if agent else SubjectKind.PARTNER,
            subject_ref=agent or scope.partner.code,
            window_start=start,
            window_end=end,
            severity=Severity.HIGH,
            evidence_code=self.code,
            numbers={
                "partner": scope.partner.code,
                "agent": agent,
                "day": day.isoformat(),
                "residents": n,
                "elderly": k,
                "age": settings.DETECTION_ELDERLY_AGE,
                "share": round(share * 100, 1),
                "baseline": round(baseline * 100, 1),
                "baseline_source": source,
                "p_value": f"{p_value:.2g}",
            },
            records=[todays.filter(birth_year__lte=born_by)],
        )

    def _region_baseline(self, live, todays, start, end, born_by) -> float | None:
        """The elderly share expected from the pooled mix of the day's residents' regions."""
        region = Coalesce("session__region_code", "id_region_code")
        mix = dict(
            todays.annotate(_region=region)
            .values_list("_region")
            .annotate(n=Count("identity_ref", distinct=True))
            .order_by()
        )
        pooled = {
            row[0]: (row[1], row[2])
            for row in live.filter(occurred_at__gte=start, occurred_at__lt=end)
            .annotate(_region=region)
            .filter(_region__in=list(mix))
            .values_list("_region")
            .annotate(
                n=Count("identity_ref", distinct=True),
                k=Count("identity_ref", distinct=True, filter=Q(birth_year__lte=born_by)),
            )
            .order_by()
        }
        if sum(n for n, _k in pooled.values()) < settings.DETECTION_ELDERLY_MIN_HISTORY:
            return None
        weight = sum(mix[region] for region in pooled if pooled[region][0])
        if not weight:
            return None
        return sum(mix[r] * pooled[r][1] / pooled[r][0] for r in pooled if pooled[r][0]) / weight
