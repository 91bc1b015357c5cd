"""session_too_short: an agent whose completed sessions are far shorter than the partner's usual.

Real help at a desk takes minutes; a session opened and closed in seconds is
paperwork covering a read. "Usual" is the median duration of the partner's
closed sessions over the previous DETECTION_VOLUME_BASELINE_DAYS days
(DETECTION_SESSION_TYPICAL_SECONDS while it has fewer than
DETECTION_SESSION_MIN_HISTORY); "too short" is under
DETECTION_SESSION_SHORT_FRACTION of that. Abandoned sessions are left out:
a resident walking away early is ordinary. One alert per agent and local
day, from DETECTION_SESSION_SHORT_MIN_COUNT short sessions (high from
DETECTION_SESSION_SHORT_HIGH_COUNT).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDate

from auditsvc.ingestion.models import EnrolmentSession
from partners.choices import PartnerKind

from ..choices import RuleCode, Severity, SubjectKind
from ._base import SHANGHAI, Finding, Rule, Scope, day_bounds, new_records

_DURATION = ExpressionWrapper(F("closed_at") - F("opened_at"), output_field=DurationField())


def usual_duration(partner_id: int, day: dt.date) -> dt.timedelta:
    """Median duration of the partner's closed sessions in the baseline days before ``day``."""
    start, _ = day_bounds(day - dt.timedelta(days=settings.DETECTION_VOLUME_BASELINE_DAYS))
    end, _ = day_bounds(day)
    closed = EnrolmentSession.objects.filter(
        partner_id=partner_id,
        test=False,
        closed_at__isnull=False,
        outcome=EnrolmentSession.Outcome.COMPLETED,
        opened_at__gte=start,
        opened_at__lt=end,
    ).annotate(_duration=_DURATION)
    total = closed.count()
    if total < settings.DETECTION_SESSION_MIN_HISTORY:
        return dt.timedelta(seconds=settings.DETECTION_SESSION_TYPICAL_SECONDS)
    # The median by an ordered offset: the same SQL on PostgreSQL and SQLite.
    return closed.order_by("_duration").values_list("_duration", flat=True)[total // 2]


class SessionTooShort(Rule):
    code = RuleCode.SESSION_TOO_SHORT
    partner_kinds = frozenset({PartnerKind.ENROLMENT_PARTNER})

    def findings(self, scope: Scope) -> Iterable[Finding]:
        days = (
            new_records(EnrolmentSession.objects.all(), scope, entry_field="close_entry")
            .annotate(_day=TruncDate("opened_at", tzinfo=SHANGHAI))
            .values_list("_day", flat=True)
            .distinct()
            .order_by()
        )
        for day in sorted(days):
            yield from self._day(scope, day)

    def _day(self, scope: Scope, day: dt.date) -> Iterable[Finding]:
        usual = usual_duration(scope.partner.pk, day)
        cutoff = usual * settings.DETECTION_SESSION_SHORT_FRACTION
        start, end = day_bounds(day)
        sessions = EnrolmentSession.objects.filter(
            partner_id=scope.partner.pk, test=False, opened_at__gte=start, opened_at__lt=end
        )
        short = Q(
            closed_at__isnull=False,
            outcome=EnrolmentSession.Outcome.COMPLETED,
            closed_at__lt=F("opened_at") + cutoff,
        )
        rows = (
            sessions.values("agent_code")
            .annotate(total=Count("id"), short=Count("id", filter=short))
            .filter(short__gte=settings.DETECTION_SESSION_SHORT_MIN_COUNT)
            .order_by("agent_code")
        )
        for row in rows:
            high = row["short"] >= settings.DETECTION_SESSION_SHORT_HIGH_COUNT
            yield Finding(
                rule=self.code,
                partner_id=scope.partner.pk,
                subject_kind=SubjectKind.AGENT,
                subject_ref=row["agent_code"],
                window_start=start,
                window_end=end,
                severity=Severity.HIGH if high else Severity.MEDIUM,
                evidence_code=self.code,
                numbers={
                    "partner": scope.partner.code,
                    "agent": row["agent_code"],
                    "day": day.isoformat(),
                    "short": row["short"],
                    "sessions": row["total"],
                    "cutoff_seconds": int(cutoff.total_seconds()),
                    "usual_seconds": int(usual.total_seconds()),
                },
                records=[sessions.filter(short, agent_code=row["agent_code"])],
            )
