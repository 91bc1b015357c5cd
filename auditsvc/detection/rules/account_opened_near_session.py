"""account_opened_near_session: accounts opened for residents around their enrolment sessions.

In Dengzhou the gang opened payment accounts in villagers' names minutes
after "helping" them activate their cards. An account opened (or an
identity bound to an account) within DETECTION_NEAR_SESSION_MINUTES before a
session opened or after it closed, for the same resident, is "near". One
alert per enrolment agent and local day of the sessions, naming the
enrolment partner (the alert's partner) and the platforms; from
DETECTION_NEAR_SESSION_MIN_ACCOUNTS accounts medium, from
DETECTION_NEAR_SESSION_HIGH_ACCOUNTS (or when the account came from the
session's own device) high, and critical when that many came from the
sessions' own devices. A resident opening an account on their own days later
is not near.

It joins two logs: run over an enrolment partner's log it looks at new
sessions (and closes), over a platform's log at new account events; each
has its own watermark, so a session uploaded after the account still joins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import DateTimeField, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate

from auditsvc.ingestion.models import AccountEvent, EnrolmentSession
from partners.choices import PartnerKind
from partners.models import Partner

from ..choices import RuleCode, Severity, SubjectKind
from ._base import SHANGHAI, Finding, Rule, Scope, day_bounds, new_records

#: The account actions that put an account in a resident's name.
ACCOUNT_ACTIONS = (AccountEvent.Action.OPENED, AccountEvent.Action.IDENTITY_BOUND)


def _near() -> dt.timedelta:
    return dt.timedelta(minutes=settings.DETECTION_NEAR_SESSION_MINUTES)


def _sessions_near(accounts_ref) -> Q:
    """Sessions of the account's resident whose [open - W, close + W] holds the account's time."""
    near = _near()
    return Q(
        identity_ref=accounts_ref("identity_ref"),
        opened_at__lte=ExpressionWrapper(
            accounts_ref("occurred_at") + near, output_field=DateTimeField()
        ),
    ) & Q(
        _end__gte=ExpressionWrapper(
            accounts_ref("occurred_at") - near, output_field=DateTimeField()
        )
    )


def _with_end(sessions):
    return sessions.annotate(_end=Coalesce("closed_at", "opened_at"))


class AccountOpenedNearSession(Rule):
    code = RuleCode.ACCOUNT_OPENED_NEAR_SESSION
    partner_kinds = frozenset({PartnerKind.ENROLMENT_PARTNER, PartnerKind.ACCOUNT_PLATFORM})

    def findings(self, scope: Scope) -> Iterable[Finding]:
        for partner_id, agent, day in sorted(self._keys(scope)):
            finding = self._evaluate(partner_id, agent, day)
            if finding is not None:
                yield finding

    def _keys(self, scope: Scope) -> set[tuple[int, str, dt.date]]:
        live_sessions = EnrolmentSession.objects.filter(test=False)
        if scope.partner.kind == PartnerKind.ENROLMENT_PARTNER:
            new = new_records(live_sessions, scope) | new_records(
                live_sessions, scope, entry_field="close_entry"
            )
        else:
            accounts = new_records(AccountEvent.objects.all(), scope).filter(
                action__in=ACCOUNT_ACTIONS
            )
            new = live_sessions.filter(
                Exists(
                    accounts.filter(
                        identity_ref=OuterRef("identity_ref"),
                        occurred_at__gte=ExpressionWrapper(
                            OuterRef("opened_at") - _near(), output_field=DateTimeField()
                        ),
                        occurred_at__lte=ExpressionWrapper(
                            Coalesce(OuterRef("closed_at"), OuterRef("opened_at")) + _near(),
                            output_field=DateTimeField(),
                        ),
                    )
                )
            )
        rows = (
            new.annotate(_day=TruncDate("opened_at", tzinfo=SHANGHAI))
            .values_list("partner_id", "agent_code", "_day")
            .distinct()
            .order_by()
        )
        return set(rows)

    def _evaluate(self, partner_id: int, agent: str, day: dt.date) -> Finding | None:
        start, end = day_bounds(day)
        sessions = _with_end(
            EnrolmentSession.objects.filter(
                partner_id=partner_id,
                agent_code=agent,
                test=False,
                opened_at__gte=start,
                opened_at__lt=end,
            )
        )
        near = sessions.filter(_sessions_near(OuterRef))
        accounts = (
            AccountEvent.objects.filter(
                test=False,
                action__in=ACCOUNT_ACTIONS,
                identity_ref__in=sessions.values("identity_ref"),
            )
            .annotate(
                _session=Subquery(near.values("id")[:1]),
                _same_device=Exists(near.filter(device_ref=OuterRef("device_ref"))),
            )
            .filter(_session__isnull=False)
        )
        count = accounts.values("account_ref").distinct().count()
        if count < settings.DETECTION_NEAR_SESSION_MIN_ACCOUNTS:
            return None
        same_device = accounts.filter(_same_device=True).values("account_ref").distinct().count()
        platform_ids = set(accounts.values_list("partner_id", flat=True).distinct())
        platforms = sorted(
            Partner.objects.filter(pk__in=platform_ids).values_list("code", flat=True)
        )
        high = settings.DETECTION_NEAR_SESSION_HIGH_ACCOUNTS
        if same_device >= high:
            severity = Severity.CRITICAL
        elif count >= high or same_device:
            severity = Severity.HIGH
        else:
            severity = Severity.MEDIUM
        partner_code = Partner.objects.values_list("code", flat=True).get(pk=partner_id)
        matched_sessions = EnrolmentSession.objects.filter(pk__in=accounts.values("_session"))
        return Finding(
            rule=self.code,
            partner_id=partner_id,
            subject_kind=SubjectKind.AGENT,
            subject_ref=agent,
            window_start=start,
            window_end=end,
            severity=severity,
            evidence_code=self.code,
            numbers={
                "partner": partner_code,
                "agent": agent,
                "day": day.isoformat(),
                "count": count,
                "same_device": same_device,
                "platforms": ", ".join(platforms),
                "minutes": settings.DETECTION_NEAR_SESSION_MINUTES,
            },
            records=[accounts, matched_sessions],
        )
