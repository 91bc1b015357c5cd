"""volume_spike: hourly and daily access counts per partner and per agent, against a baseline.

The baseline of an hour is the count of the same Asia/Shanghai hour on each
of the previous DETECTION_VOLUME_BASELINE_DAYS days (a day without accesses
counts as 0), from the subject's first access on; of a day, the previous
days' totals. The rule fires when the count is above
median + DETECTION_VOLUME_MADS x max(1.4826 x MAD, floor) and at least the
minimum count; at DETECTION_VOLUME_HIGH_FACTOR times the threshold it is high.

Counting is one GROUP BY per partner and run (accesses per agent and UTC
hour, which is also the Asia/Shanghai hour: the offset is whole hours);
partner totals and days are sums of those rows, and the medians are taken
over at most 28 numbers per window.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, Min
from django.db.models.functions import TruncHour

from auditsvc.ingestion.models import AccessEvent
from partners.choices import PartnerKind

from ..choices import RuleCode, Severity, SubjectKind
from ._base import SHANGHAI, Finding, Rule, Scope, day_bounds, local_day, new_records
from ._stats import MAD_SCALE, median, median_absolute_deviation

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def _band(values: list[float], mads: float, floor: float) -> dict:
    centre = median(values)
    mad = median_absolute_deviation(values)
    spread = max(MAD_SCALE * mad, floor)
    return {
        "median": centre,
        "mad": mad,
        "threshold": round(centre + mads * spread, 1),
        "usual_low": max(0, round(centre - MAD_SCALE * mad)),
        "usual_high": round(centre + MAD_SCALE * mad),
    }


class VolumeSpike(Rule):
    code = RuleCode.VOLUME_SPIKE
    partner_kinds = frozenset({PartnerKind.ENROLMENT_PARTNER})

    def findings(self, scope: Scope) -> Iterable[Finding]:
        touched = (
            new_records(AccessEvent.objects.all(), scope)
            .annotate(_hour=TruncHour("occurred_at", tzinfo=dt.UTC))
            .values_list("agent_code", "_hour")
            .distinct()
            .order_by()
        )
        hours_by_agent: dict[str, set[dt.datetime]] = defaultdict(set)
        for agent, hour in touched:
            hours_by_agent[agent].add(hour)
            hours_by_agent[""].add(hour)
        if not hours_by_agent:
            return
        days = settings.DETECTION_VOLUME_BASELINE_DAYS
        all_hours = hours_by_agent[""]
        first_day = local_day(min(all_hours)) - dt.timedelta(days=days)
        start, _ = day_bounds(first_day)
        _, end = day_bounds(local_day(max(all_hours)))
        live = AccessEvent.objects.filter(partner_id=scope.partner.pk, test=False)
        counts: dict[str, dict[dt.datetime, int]] = defaultdict(lambda: defaultdict(int))
        rows = (
            live.filter(occurred_at__gte=start, occurred_at__lt=end)
            .annotate(_hour=TruncHour("occurred_at", tzinfo=dt.UTC))
            .values_list("agent_code", "_hour")
            .annotate(n=Count("id"))
            .order_by()
        )
        for agent, hour, n in rows:
            counts[agent][hour] += n
            counts[""][hour] += n
        # First accesses (the history starts there), each read from an index.
        agents = [agent for agent in hours_by_agent if agent]
        firsts = dict(
            live.filter(agent_code__in=agents)
            .values_list("agent_code")
            .annotate(first=Min("occurred_at"))
            .order_by()
        )
        firsts[""] = live.aggregate(first=Min("occurred_at"))["first"]
        for agent, hours in hours_by_agent.items():
            first = local_day(firsts[agent])
            yield from self._hourly(scope, agent, hours, counts[agent], first)
            yield from self._daily(scope, agent, hours, counts[agent], first)

    def _history_days(self, day: dt.date, first: dt.date) -> list[dt.date]:
        days = settings.DETECTION_VOLUME_BASELINE_DAYS
        return [
            day - dt.timedelta(days=i)
            for i in range(days, 0, -1)
            if day - dt.timedelta(days=i) >= first
        ]

    def _hourly(self, scope, agent, hours, series, first) -> Iterable[Finding]:
        for hour in sorted(hours):
            count = series.get(hour, 0)
            if count < settings.DETECTION_VOLUME_HOURLY_MIN_COUNT:
                continue
            history = self._history_days(local_day(hour), first)
            if len(history) < settings.DETECTION_VOLUME_MIN_HISTORY_DAYS:
                continue
            baseline = [series.get(hour - (local_day(hour) - day).days * DAY, 0) for day in history]
            band = _band(
                baseline, settings.DETECTION_VOLUME_MADS, settings.DETECTION_VOLUME_HOURLY_FLOOR
            )
            if count <= band["threshold"]:
                continue
            local_hour = hour.astimezone(SHANGHAI)
            yield self._finding(
                scope,
                agent,
                "hour",
                hour,
                hour + HOUR,
                count,
                band,
                baseline,
                {
                    "from": f"{local_hour:%Y-%m-%d %H:%M}",
                    "to": f"{local_hour + HOUR:%H:%M}",
                },
            )

    def _daily(self, scope, agent, hours, series, first) -> Iterable[Finding]:
        totals: dict[dt.date, int] = defaultdict(int)
        for hour, n in series.items():
            totals[local_day(hour)] += n
        for day in sorted({local_day(hour) for hour in hours}):
            count = totals.get(day, 0)
            if count < settings.DETECTION_VOLUME_DAILY_MIN_COUNT:
                continue
            history = self._history_days(day, first)
            if len(history) < settings.DETECTION_VOLUME_MIN_HISTORY_DAYS:
                continue
            baseline = [totals.get(past, 0) for past in history]
            band = _band(
                baseline, settings.DETECTION_VOLUME_MADS, settings.DETECTION_VOLUME_DAILY_FLOOR
            )
            if count <= band["threshold"]:
                continue
            start, end = day_bounds(day)
            yield self._finding(
                scope, agent, "day", start, end, count, band, baseline, {"day": day.isoformat()}
            )

    def _finding(self, scope, agent, period, start, end, count, band, baseline, extra) -> Finding:
        high = count >= settings.DETECTION_VOLUME_HIGH_FACTOR * band["threshold"]
        records = AccessEvent.objects.filter(
            partner_id=scope.partner.pk, test=False, occurred_at__gte=start, occurred_at__lt=end
        )
        if agent:
            records = records.filter(agent_code=agent)
        return Finding(
            rule=self.code,
            partner_id=scope.partner.pk,
            subject_kind=SubjectKind.AGENT if agent else SubjectKind.PARTNER,
            subject_ref=agent or scope.partner.code,
            window_start=start,
            window_end=end,
            severity=Severity.HIGH if high else Severity.MEDIUM,
            evidence_code=f"volume_{period}_{'agent' if agent else 'partner'}",
            numbers={
                "partner": scope.partner.code,
                "agent": agent,
                "period": period,
                "count": count,
                **band,
                # The chart on the alert page: the baseline days, oldest first, then this window.
                "series": baseline,
                **extra,
            },
            records=[records],
        )
