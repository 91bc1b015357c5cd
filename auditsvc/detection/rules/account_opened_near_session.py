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
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
)
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


def _accounts_near_session(accounts):
    """``accounts`` whose time lies in the outer session's [open - W, close + W]."""
    return accounts.filter(
        identity_ref=OuterRef("identity_ref"),
        occurred_at__gte=ExpressionWrapper(
            OuterRef("opened_at") - _near(), output_field=DateTimeField()
        ),
        occurred_at__lte=ExpressionWrapper(
            Coalesce(OuterRef("closed_at"), OuterRef("opened_at")) + _near(),
            output_field=DateTimeField(),
        ),
    )


def _with_end(sessions):
    return sessions.annotate(_end=Coalesce("closed_at", "opened_at"))


def _day_keys(sessions) -> set[tuple[int, str, dt.date]]:
    """The (partner, agent, local day opened) of ``sessions``."""
    return set(
        sessions.annotate(_day=TruncDate("opened_at", tzinfo=SHANGHAI))
        .values_list("partner_id", "agent_code", "_day")
        .distinct()
        .order_by()
    )


class AccountOpenedNearSession(Rule):
    code = RuleCode.ACCOUNT_OPENED_NEAR_SESSION
    partner_kinds = frozenset({PartnerKind.ENROLMENT_PARTNER, PartnerKind.ACCOUNT_PLATFORM})

    def findings(self, scope: Scope) -> Iterable[Finding]:
        wanted: dict[int, set[tuple[str, dt.date]]] = defaultdict(set)
        for partner_id, agent, day in self._keys(scope):
            wanted[partner_id].add((agent, day))
        for partner_id, keys in sorted(wanted.items()):
            yield from self._evaluate(partner_id, keys)

    def _keys(self, scope: Scope) -> set[tuple[int, str, dt.date]]:
        live_sessions = EnrolmentSession.objects.filter(test=False)
        if scope.partner.kind == PartnerKind.ENROLMENT_PARTNER:
            # Opened or closed in the scope: two queries, not one OR across the two
            # ledger joins (which seq-scans the whole ledger for every partner); each
            # goes through the (log, seq) index and its own unique entry column.
            return _day_keys(new_records(live_sessions, scope)) | _day_keys(
                new_records(live_sessions, scope, entry_field="close_entry")
            )
        accounts = new_records(AccountEvent.objects.all(), scope).filter(action__in=ACCOUNT_ACTIONS)
        # The new accounts' residents first (an index), then the time condition.
        new = live_sessions.filter(identity_ref__in=accounts.values("identity_ref")).filter(
            Exists(_accounts_near_session(accounts))
        )
        return _day_keys(new)

    def _evaluate(self, partner_id: int, keys: set[tuple[str, dt.date]]) -> Iterable[Finding]:
        """Every (agent, day) of one enrolment partner in one grouped query.

        Each account is tied to the first of its resident's sessions (of this
        partner, in these days) that it is near; the accounts are then counted
        by that session's agent and day.
        """
        days = sorted({day for _agent, day in keys})
        start, _ = day_bounds(days[0])
        _, end = day_bounds(days[-1])
        sessions = _with_end(
            EnrolmentSession.objects.filter(
                partner_id=partner_id, test=False, opened_at__gte=start, opened_at__lt=end
            )
        )
        opened = AccountEvent.objects.filter(test=False, action__in=ACCOUNT_ACTIONS)
        # Most residents never open an account near a session: first the few residents
        # who did, one index probe per session, so that the per-account subqueries below
        # run over those residents' accounts only (not over every platform's accounts).
        near_residents = list(
            sessions.filter(Exists(_accounts_near_session(opened)))
            .values_list("identity_ref", flat=True)
            .distinct()
            .order_by()
        )
        if not near_residents:
            return
        near = sessions.filter(_sessions_near(OuterRef)).order_by("opened_at", "id")
        accounts = (
            opened.filter(identity_ref__in=near_residents)
            .annotate(
                _session=Subquery(near.values("id")[:1]),
                _agent=Subquery(near.values("agent_code")[:1]),
                _opened=Subquery(near.values("opened_at")[:1]),
                _same_device=Exists(near.filter(device_ref=OuterRef("device_ref"))),
            )
            .filter(_session__isnull=False)
            .annotate(_day=TruncDate("_opened", tzinfo=SHANGHAI))
        )
        rows = (
            accounts.values("_agent", "_day")
            .annotate(
                n=Count("account_ref", distinct=True),
                same=Count("account_ref", distinct=True, filter=Q(_same_device=True)),
            )
            .filter(n__gte=settings.DETECTION_NEAR_SESSION_MIN_ACCOUNTS)
            .order_by("_agent", "_day")
        )
        found = [row for row in rows if (row["_agent"], row["_day"]) in keys]
        if not found:
            return
        platforms: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
        for agent, day, code in (
            accounts.values_list("_agent", "_day", "partner__code").distinct().order_by()
        ):
            platforms[(agent, day)].add(code)
        partner_code = Partner.objects.values_list("code", flat=True).get(pk=partner_id)
        high = settings.DETECTION_NEAR_SESSION_HIGH_ACCOUNTS
        for row in found:
            agent, day, count, same_device = row["_agent"], row["_day"], row["n"], row["same"]
            if same_device >= high:
                severity = Severity.CRITICAL
            elif count >= high or same_device:
                severity = Severity.HIGH
            else:
                severity = Severity.MEDIUM
            window_start, window_end = day_bounds(day)
            behind = accounts.filter(_agent=agent, _day=day)
            yield Finding(
                rule=self.code,
                partner_id=partner_id,
                subject_kind=SubjectKind.AGENT,
                subject_ref=agent,
                window_start=window_start,
                window_end=window_end,
                severity=severity,
                evidence_code=self.code,
                numbers={
                    "partner": partner_code,
                    "agent": agent,
                    "day": day.isoformat(),
                    "count": count,
                    "same_device": same_device,
                    "platforms": ", ".join(sorted(platforms[(agent, day)])),
                    "minutes": settings.DETECTION_NEAR_SESSION_MINUTES,
                },
                records=[
                    behind,
                    EnrolmentSession.objects.filter(pk__in=behind.values("_session")),
                ],
            )
