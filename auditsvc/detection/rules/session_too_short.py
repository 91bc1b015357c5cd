"""session_too_short: an agent whose completed sessions are far shorter than the partner's usual.

Real help at a desk takes minutes; a session opened and closed in seconds is
paperwork covering a read. "Usual" is the mean duration of the partner's
completed sessions over the previous DETECTION_VOLUME_BASELINE_DAYS days
(sessions left open longer than USUAL_LONGEST are left out: a close
forgotten overnight says nothing about the work);
DETECTION_SESSION_TYPICAL_SECONDS while it has fewer than
DETECTION_SESSION_MIN_HISTORY of them. "Too short" is under
DETECTION_SESSION_SHORT_FRACTION of that. Abandoned sessions are left out: a
resident walking away early is ordinary. One alert per agent and local day,
from DETECTION_SESSION_SHORT_MIN_COUNT short sessions (high from
DETECTION_SESSION_SHORT_HIGH_COUNT).

Counting: per partner and run, one grouped query for the daily sums of
durations (the usual of each day is summed from the previous days' rows)
and one for the short sessions of every agent and day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncDate

from auditsvc.ingestion.models import EnrolmentSession
from partners.choices import PartnerKind

from ..choices import RuleCode, Severity, SubjectKind
from ._base import SHANGHAI, Finding, Rule, Scope, day_bounds, new_records

#: Sessions open longer than this are left out of the usual duration.
USUAL_LONGEST = dt.timedelta(hours=8)

_DURATION = ExpressionWrapper(F("closed_at") - F("opened_at"), output_field=DurationField())
_DAY = TruncDate("opened_at", tzinfo=SHANGHAI)
_COMPLETED = Q(closed_at__isnull=False, outcome=EnrolmentSession.Outcome.COMPLETED)


def usual_durations(partner_id: int, days: list[dt.date]) -> dict[dt.date, dt.timedelta]:
    """The usual (mean) duration before each of ``days``, from one grouped query."""
    history = settings.DETECTION_VOLUME_BASELINE_DAYS
    start, _ = day_bounds(days[0] - dt.timedelta(days=history))
    end, _ = day_bounds(days[-1])
    rows = (
        EnrolmentSession.objects.filter(
            _COMPLETED,
            partner_id=partner_id,
            test=False,
            opened_at__gte=start,
            opened_at__lt=end,
            closed_at__lt=F("opened_at") + USUAL_LONGEST,
        )
        .annotate(_day=_DAY)
        .values("_day")
        .annotate(n=Count("id"), total=Sum(_DURATION))
        .order_by()
    )
    daily = {row["_day"]: (row["n"], row["total"] or dt.timedelta(0)) for row in rows}
    typical = dt.timedelta(seconds=settings.DETECTION_SESSION_TYPICAL_SECONDS)
    usual = {}
    for day in days:
        n, total = 0, dt.timedelta(0)
        for back in range(1, history + 1):
            past_n, past_total = daily.get(day - dt.timedelta(days=back), (0, dt.timedelta(0)))
            n, total = n + past_n, total + past_total
        usual[day] = total / n if n >= settings.DETECTION_SESSION_MIN_HISTORY else typical
    return usual


class SessionTooShort(Rule):
    code = RuleCode.SESSION_TOO_SHORT
    partner_kinds = frozenset({PartnerKind.ENROLMENT_PARTNER})

    def findings(self, scope: Scope) -> Iterable[Finding]:
        days = sorted(
            new_records(EnrolmentSession.objects.all(), scope, entry_field="close_entry")
            .annotate(_day=_DAY)
            .values_list("_day", flat=True)
            .distinct()
            .order_by()
        )
        if not days:
            return
        usual = usual_durations(scope.partner.pk, days)
        fraction = settings.DETECTION_SESSION_SHORT_FRACTION
        cutoffs = {day: usual[day] * fraction for day in days}
        short = Q()
        for day, cutoff in cutoffs.items():
            start, end = day_bounds(day)
            short |= Q(
                opened_at__gte=start, opened_at__lt=end, closed_at__lt=F("opened_at") + cutoff
            )
        short &= _COMPLETED
        start, _ = day_bounds(days[0])
        _, end = day_bounds(days[-1])
        sessions = EnrolmentSession.objects.filter(
            partner_id=scope.partner.pk, test=False, opened_at__gte=start, opened_at__lt=end
        )
        rows = (
            sessions.annotate(_day=_DAY)
            .values("agent_code", "_day")
            .annotate(total=Count("id"), short=Count("id", filter=short))
            .filter(short__gte=settings.DETECTION_SESSION_SHORT_MIN_COUNT)
            .order_by("agent_code", "_day")
        )
        for row in rows:
            day = row["_day"]
            if day not in cutoffs:
                continue
            window_start, window_end = day_bounds(day)
            high = row["short"] >= settings.DETECTION_SESSION_SHORT_HIGH_COUNT
            yield Finding(
                rule=self.code,
                partner_id=scope.partner.pk,
                subject_kind=SubjectKind.AGENT,
                subject_ref=row["agent_code"],
                window_start=window_start,
                window_end=window_end,
                severity=Severity.HIGH if high else Severity.MEDIUM,
                evidence_code=self.code,
                numbers={
                    "partner": scope.partner.code,
                    "agent": row["agent_code"],
                    "day": day.isoformat(),
                    "short": row["short"],
                    "sessions": row["total"],
                    "cutoff_seconds": int(cutoffs[day].total_seconds()),
                    "usual_seconds": int(usual[day].total_seconds()),
                },
                records=[
                    sessions.filter(
                        short,
                        agent_code=row["agent_code"],
                        opened_at__gte=window_start,
                        opened_at__lt=window_end,
                    )
                ],
            )
