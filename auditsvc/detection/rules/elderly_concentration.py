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
from django.db import connections
from django.db.models import Case, Count, Max, Q, QuerySet, Value, When
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


def _daily(accesses: QuerySet) -> dict[tuple[str, dt.date], tuple[int, int]]:
    """{(agent, day): (distinct residents, distinct elderly)}, and ("", day) for the partner.

    One pass: the rows are first reduced to one per agent, day and resident (a
    hash aggregate), then counted per agent and day, and, once more reduced to
    one per day and resident, per day. Two COUNT(DISTINCT) queries over every
    row cost twice as much (their sorts).
    """
    residents = (
        accesses.annotate(_day=_DAY, _old=Case(When(_elderly(), then=Value(1)), default=Value(0)))
        .values("agent_code", "_day", "identity_ref")
        .annotate(old=Max("_old"))
        .order_by()
    )
    inner, params = residents.query.sql_with_params()
    # ``inner`` is Django's own SQL for the queryset, its values in ``params``.
    sql = (
        f"WITH r AS ({inner}) "  # noqa: S608
        "SELECT agent_code, _day, COUNT(*), SUM(old) FROM r GROUP BY agent_code, _day "
        "UNION ALL "
        "SELECT '', _day, COUNT(*), SUM(old) FROM "
        "(SELECT _day, identity_ref, MAX(old) AS old FROM r GROUP BY _day, identity_ref) p "
        "GROUP BY _day"
    )
    with connections[accesses.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        # SQLite hands the day back as text.
        (agent, day if isinstance(day, dt.date) else dt.date.fromisoformat(day)): (n, int(k))
        for agent, day, n, k in rows
    }


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
        daily = _daily(partner_accesses)
        # Windows without enough history of their own are judged against their region's
        # mix: the mixes of all of them in one query, not one per window.
        lacking = [
            key
            for key in keys
            if daily.get(key, (0, 0))[0] >= settings.DETECTION_ELDERLY_MIN_SAMPLE
            and _history(daily, *key)[0] < settings.DETECTION_ELDERLY_MIN_HISTORY
        ]
        mixes = _mixes(partner_accesses, lacking)
        for agent, day in sorted(keys):
            finding = self._evaluate(scope, agent, day, daily, partner_accesses, mixes, memo)
            if finding is not None:
                yield finding

    def _evaluate(self, scope, agent, day, daily, partner_accesses, mixes, memo) -> Finding | None:
        n, k = daily.get((agent, day), (0, 0))
        if n < settings.DETECTION_ELDERLY_MIN_SAMPLE:
            return None
        own_n, own_k = _history(daily, agent, day)
        start, end = day_bounds(day)

        def todays() -> QuerySet:
            # Built only when needed: most windows end at the history test above.
            records = partner_accesses.filter(occurred_at__gte=start, occurred_at__lt=end)
            return records.filter(agent_code=agent) if agent else records

        if own_n >= settings.DETECTION_ELDERLY_MIN_HISTORY:
            baseline, source = own_k / own_n, "own_history"
        else:
            baseline = self._region_baseline(mixes.get((agent, day), {}), day, memo)
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
            records=[todays().filter(_elderly())],
        )

    @staticmethod
    def _shares(daily, agent: str, day: dt.date) -> list[float]:
        shares = []
        for back in range(settings.DETECTION_VOLUME_BASELINE_DAYS, 0, -1):
            n, k = daily.get((agent, day - dt.timedelta(days=back)), (0, 0))
            if n:
                shares.append(round(100 * k / n, 1))
        return shares

    def _region_baseline(self, mix: dict[str, int], day: dt.date, memo: dict) -> float | None:
        """The elderly share expected from the pooled mix of the day's residents' regions
        (``mix``: {region: distinct residents of the window})."""
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


def _history(daily: dict, agent: str, day: dt.date) -> tuple[int, int]:
    """(residents, elderly) of the subject over the DETECTION_VOLUME_BASELINE_DAYS before
    ``day``, summed from its daily counts (a resident counts once per day read)."""
    own_n = own_k = 0
    for back in range(1, settings.DETECTION_VOLUME_BASELINE_DAYS + 1):
        past_n, past_k = daily.get((agent, day - dt.timedelta(days=back)), (0, 0))
        own_n, own_k = own_n + past_n, own_k + past_k
    return own_n, own_k


def _mixes(accesses: QuerySet, keys: list[tuple[str, dt.date]]) -> dict:
    """{(agent or "", day): {region: distinct residents}} of the windows ``keys``, in at
    most two grouped queries (agents' windows, the partner's)."""
    mixes: dict[tuple[str, dt.date], dict[str, int]] = {}
    for by_agent in (True, False):
        wanted = {key for key in keys if bool(key[0]) == by_agent}
        if not wanted:
            continue
        days = Q()
        for day in sorted({day for _agent, day in wanted}):
            start, end = day_bounds(day)
            days |= Q(occurred_at__gte=start, occurred_at__lt=end)
        group = ("agent_code", "_day", "_region") if by_agent else ("_day", "_region")
        rows = (
            accesses.filter(days)
            .annotate(_day=_DAY, _region=_REGION)
            .values_list(*group)
            .annotate(n=Count("identity_ref", distinct=True))
            .order_by()
        )
        for *subject, day, region, n in rows:
            key = (subject[0] if subject else "", day)
            if key in wanted:
                mixes.setdefault(key, {})[region] = n
    return mixes


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
