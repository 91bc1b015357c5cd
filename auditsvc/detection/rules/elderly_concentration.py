"""elderly_concentration: a partner (or agent) whose residents turn far older than its baseline.

Helping the elderly is ordinary work, so the share of residents aged
DETECTION_ELDERLY_AGE or over is never judged on its own: it is compared with
the subject's own previous DETECTION_VOLUME_BASELINE_DAYS days when they hold
at least DETECTION_ELDERLY_MIN_HISTORY residents (counted once per day they
were read), otherwise with the pooled mix of the same regions over those
days (all partners; the session's region, or the identity number's division
code without a session). It fires only when all three hold: a one-sided
exact binomial test gives p < DETECTION_ELDERLY_P_VALUE, the day's sample is
at least DETECTION_ELDERLY_MIN_SAMPLE distinct residents, and the share is at
least DETECTION_ELDERLY_MIN_EXCESS_POINTS points above the baseline. A
partner whose residents are always old is not flagged; a mix turning sharply
older, or a new partner far older than its region, is: high from
DETECTION_ELDERLY_HIGH_EXCESS_POINTS points above the baseline (a ring's
mix), medium below (with one test a day for every partner and agent, some
ordinary days pass p < 0.01 by chance). Age is the access year minus the
birth year.

Counting: per partner and run, one grouped query for the agents' days and
one for the partner's days over the whole range (the history is the sum of
the previous days' rows); the region mix is asked for only when a subject
lacks its own history, and the pooled mix of every region for a day is
counted once per run (``shared_in_run``) and reused for every partner and
window of that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce, ExtractYear, TruncDate

from auditsvc.ingestion.models import AccessEvent
from partners.choices import PartnerKind

from ..choices import RuleCode, Severity, SubjectKind
from ._base import SHANGHAI, Finding, Rule, Scope, day_bounds, new_records, run_memo
from ._stats import binomial_upper_tail

_DAY = TruncDate("occurred_at", tzinfo=SHANGHAI)
_REGION = Coalesce("session__region_code", "id_region_code")


def _elderly() -> Q:
    """Aged DETECTION_ELDERLY_AGE or over in the year of the access."""
    age = settings.DETECTION_ELDERLY_AGE
    return Q(birth_year__lte=ExtractYear("occurred_at", tzinfo=SHANGHAI) - age)


def _daily(accesses: QuerySet, *group) -> dict[tuple, tuple[int, int]]:
    """{(*group, day): (distinct residents, distinct elderly residents)}."""
    rows = (
        accesses.annotate(_day=_DAY)
        .values(*group, "_day")
        .annotate(
            n=Count("identity_ref", distinct=True),
            k=Count("identity_ref", distinct=True, filter=_elderly()),
        )
        .order_by()
    )
    return {(*(row[g] for g in group), row["_day"]): (row["n"], row["k"]) for row in rows}


class ElderlyConcentration(Rule):
    code = RuleCode.ELDERLY_CONCENTRATION
    partner_kinds = frozenset({PartnerKind.ENROLMENT_PARTNER})

    def findings(self, scope: Scope) -> Iterable[Finding]:
        memo = run_memo()
        touched = set(
            new_records(AccessEvent.objects.all(), scope)
            .annotate(_day=_DAY)
            .values_list("agent_code", "_day")
            .distinct()
            .order_by()
        )
        if not touched:
            return
        keys = touched | {("", day) for _agent, day in touched}
        days = sorted({day for _agent, day in keys})
        history_days = settings.DETECTION_VOLUME_BASELINE_DAYS
        start, _ = day_bounds(days[0] - dt.timedelta(days=history_days))
        _, end = day_bounds(days[-1])
        partner_accesses = AccessEvent.objects.filter(
            partner_id=scope.partner.pk, test=False, occurred_at__gte=start, occurred_at__lt=end
        )
        daily = {
            **_daily(partner_accesses, "agent_code"),
            **{("", day): counts for (day,), counts in _daily(partner_accesses).items()},
        }
        for agent, day in sorted(keys):
            finding = self._evaluate(scope, agent, day, daily, partner_accesses, memo)
            if finding is not None:
                yield finding

    def _evaluate(self, scope, agent, day, daily, partner_accesses, memo) -> Finding | None:
        n, k = daily.get((agent, day), (0, 0))
        if n < settings.DETECTION_ELDERLY_MIN_SAMPLE:
            return None
        own_n = own_k = 0
        for back in range(1, settings.DETECTION_VOLUME_BASELINE_DAYS + 1):
            past_n, past_k = daily.get((agent, day - dt.timedelta(days=back)), (0, 0))
            own_n, own_k = own_n + past_n, own_k + past_k
        start, end = day_bounds(day)
        todays = partner_accesses.filter(occurred_at__gte=start, occurred_at__lt=end)
        if agent:
            todays = todays.filter(agent_code=agent)
        if own_n >= settings.DETECTION_ELDERLY_MIN_HISTORY:
            baseline, source = own_k / own_n, "own_history"
        else:
            baseline = self._region_baseline(todays, day, memo)
            if baseline is None:
                return None
            source = "region"
        share = k / n
        excess = round((share - baseline) * 100, 6)  # 25 points is 25, not 24.999...
        if excess < settings.DETECTION_ELDERLY_MIN_EXCESS_POINTS:
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
            severity=Severity.HIGH
            if excess >= settings.DETECTION_ELDERLY_HIGH_EXCESS_POINTS
            else Severity.MEDIUM,
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
                # The alert page's chart: the elderly share (%) of each earlier day
                # with residents, against the baseline and the 15-point line.
                "chart": {
                    "series": self._shares(daily, agent, day),
                    "value": round(share * 100, 1),
                    "low": round(baseline * 100, 1),
                    "high": round(baseline * 100, 1),
                    "threshold": round(
                        baseline * 100 + settings.DETECTION_ELDERLY_MIN_EXCESS_POINTS, 1
                    ),
                },
            },
            records=[todays.filter(_elderly())],
        )

    @staticmethod
    def _shares(daily, agent: str, day: dt.date) -> list[float]:
        shares = []
        for back in range(settings.DETECTION_VOLUME_BASELINE_DAYS, 0, -1):
            n, k = daily.get((agent, day - dt.timedelta(days=back)), (0, 0))
            if n:
                shares.append(round(100 * k / n, 1))
        return shares

    def _region_baseline(self, todays: QuerySet, day: dt.date, memo: dict) -> float | None:
        """The elderly share expected from the pooled mix of the day's residents' regions."""
        mix = dict(
            todays.annotate(_region=_REGION)
            .values_list("_region")
            .annotate(n=Count("identity_ref", distinct=True))
            .order_by()
        )
        every_region = memo.get((self.code, day))
        if every_region is None:
            every_region = memo[(self.code, day)] = _pooled(day)
        pooled = {region: every_region[region] for region in mix if region in every_region}
        if sum(n for n, _k in pooled.values()) < settings.DETECTION_ELDERLY_MIN_HISTORY:
            return None
        known = [region for region, (n, _k) in pooled.items() if n]
        weight = sum(mix[region] for region in known)
        if not weight:
            return None
        return sum(mix[r] * pooled[r][1] / pooled[r][0] for r in known) / weight


def _pooled(day: dt.date) -> dict[str, tuple[int, int]]:
    """{region: (distinct residents, distinct elderly)} of all partners over the
    DETECTION_VOLUME_BASELINE_DAYS days before ``day``: one grouped query."""
    start, _ = day_bounds(day - dt.timedelta(days=settings.DETECTION_VOLUME_BASELINE_DAYS))
    end, _ = day_bounds(day)
    return {
        region: (n, k)
        for region, n, k in AccessEvent.objects.filter(
            test=False, occurred_at__gte=start, occurred_at__lt=end
        )
        .annotate(_region=_REGION)
        .values_list("_region")
        .annotate(
            n=Count("identity_ref", distinct=True),
            k=Count("identity_ref", distinct=True, filter=_elderly()),
        )
        .order_by()
        # The former query filtered ``_region IN (the mix)``, which never matches NULL.
        if region is not None
    }
