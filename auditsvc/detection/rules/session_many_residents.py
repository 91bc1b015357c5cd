"""session_many_residents: one enrolment session used to read several residents.

A session is one agent helping one resident; reading others under its cover
is how bulk harvesting hides behind ordinary paperwork. For every session
that new accesses touch, the distinct residents read in it are counted in
the database; DETECTION_SESSION_MANY_RESIDENTS or more fires (high from
DETECTION_SESSION_MANY_RESIDENTS_HIGH). One alert per session; its window is
the local day the session opened (a later close does not move it).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count

from auditsvc.ingestion.models import AccessEvent, EnrolmentSession
from partners.choices import PartnerKind

from ..choices import RuleCode, Severity, SubjectKind
from ._base import Finding, Rule, Scope, day_bounds, local_day, new_records


class SessionManyResidents(Rule):
    code = RuleCode.SESSION_MANY_RESIDENTS
    partner_kinds = frozenset({PartnerKind.ENROLMENT_PARTNER})

    def findings(self, scope: Scope) -> Iterable[Finding]:
        touched = (
            new_records(AccessEvent.objects.filter(partner_id=scope.partner.pk), scope)
            .filter(session__isnull=False)
            .values("session_id")
            .distinct()
            .order_by()
        )
        # A session only ever holds its own partner's accesses (ingestion refuses
        # another's), so the partner's index bounds the count to the scope's partner
        # instead of a scan of every partner's accesses.
        live = AccessEvent.objects.filter(partner_id=scope.partner.pk, test=False)
        # Fewer reads than the threshold cannot hold that many residents: a plain count
        # (hashed) keeps the few candidates before the costly COUNT(DISTINCT).
        candidates = (
            live.filter(session_id__in=touched)
            .values("session_id")
            .annotate(n=Count("id"))
            .filter(n__gte=settings.DETECTION_SESSION_MANY_RESIDENTS)
            .values("session_id")
        )
        rows = (
            live.filter(session_id__in=candidates)
            .values("session_id")
            .annotate(residents=Count("identity_ref", distinct=True), n=Count("id"))
            .filter(residents__gte=settings.DETECTION_SESSION_MANY_RESIDENTS)
            .order_by("session_id")
        )
        counts = {row["session_id"]: row for row in rows}
        sessions = EnrolmentSession.objects.filter(pk__in=list(counts))
        for session in sessions:
            row = counts[session.pk]
            start, end = day_bounds(local_day(session.opened_at))
            high = row["residents"] >= settings.DETECTION_SESSION_MANY_RESIDENTS_HIGH
            yield Finding(
                rule=self.code,
                partner_id=session.partner_id,
                subject_kind=SubjectKind.SESSION,
                subject_ref=str(session.pk),
                window_start=start,
                window_end=end,
                severity=Severity.HIGH if high else Severity.MEDIUM,
                evidence_code=self.code,
                numbers={
                    "partner": scope.partner.code,
                    "agent": session.agent_code,
                    "session": session.client_session_id,
                    "residents": row["residents"],
                    "count": row["n"],
                    "opened_at": session.opened_at.isoformat(),
                },
                records=[
                    EnrolmentSession.objects.filter(pk=session.pk),
                    AccessEvent.objects.filter(session_id=session.pk, test=False),
                ],
            )
