"""What every rule shares: the scope of one run, a finding, local days and hours.

A rule looks at one partner's log between two seqs (``Scope``): it finds
which subjects and windows the new records touch, recounts each of those
windows in full in the database (so a late record or a rerun gives the same
answer), and returns a ``Finding`` for each window that breaks a threshold.
The engine turns findings into alerts and moves the watermark.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db.models import QuerySet

from partners.models import SHANGHAI, Partner

__all__ = [
    "SHANGHAI",
    "Finding",
    "Rule",
    "Scope",
    "day_bounds",
    "local_day",
    "new_records",
    "run_memo",
    "shared_in_run",
]

#: What rules computed once for every partner of one run (see ``shared_in_run``).
_RUN_MEMO: ContextVar[dict | None] = ContextVar("detection_run_memo", default=None)


@dataclass(frozen=True, slots=True)
class Scope:
    """One run of one rule: the partner's live log, entries ``after < seq <= upto``."""

    partner: Partner
    log_id: str
    after: int
    upto: int


@dataclass(slots=True)
class Finding:
    """What one window broke. ``records``: querysets of the records behind it (with a
    ``ledger_entry``), from which the engine takes the ledger references."""

    rule: str
    partner_id: int
    subject_kind: str
    subject_ref: str
    window_start: dt.datetime
    window_end: dt.datetime
    severity: str
    evidence_code: str
    numbers: dict[str, Any]
    records: list[QuerySet] = field(default_factory=list)


class Rule:
    """A detection rule: ``code``, which partner kinds' logs it reads, and ``findings``."""

    code: ClassVar[str]
    #: Kinds of partner (partners.choices.PartnerKind) whose logs this rule reads.
    partner_kinds: ClassVar[frozenset[str]]

    def findings(self, scope: Scope) -> Iterable[Finding]:
        raise NotImplementedError


@contextmanager
def shared_in_run() -> Iterator[None]:
    """Within, ``run_memo()`` is one dict for the whole run: a figure that is the same
    for every partner (the pooled mix of a region and day) is counted once, not once
    per partner. A new run counts afresh, so later records are seen."""
    token = _RUN_MEMO.set({})
    try:
        yield
    finally:
        _RUN_MEMO.reset(token)


def run_memo() -> dict:
    """The run's memo inside ``shared_in_run``; outside, a fresh dict (kept by the caller)."""
    memo = _RUN_MEMO.get()
    return {} if memo is None else memo


def local_day(moment: dt.datetime) -> dt.date:
    """The Asia/Shanghai calendar day of ``moment``."""
    return moment.astimezone(SHANGHAI).date()


def day_bounds(day: dt.date, days: int = 1) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` in UTC of ``days`` Asia/Shanghai days from ``day``."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI).astimezone(dt.UTC)
    return start, start + dt.timedelta(days=days)


#: Which seq column of a record copies the seq of which of its ledger entries.
_SEQ_COLUMNS = {"ledger_entry": "ledger_seq", "close_entry": "close_seq"}


def new_records(queryset: QuerySet, scope: Scope, entry_field: str = "ledger_entry") -> QuerySet:
    """The rows of ``queryset`` whose ledger entry arrived in the scope (live records only).

    A log holds exactly its partner's live records, so these are the
    partner's live rows whose copy of the entry's seq (``ledger_seq``, or
    ``close_seq`` for a session's close) lies in the scope: one range of the
    record table's (partner, test, seq) index. Joining the ledger instead made
    PostgreSQL guess the join's size from the tables' sizes, and its plans
    grew worse as they grew.
    """
    seq = _SEQ_COLUMNS[entry_field]
    return queryset.filter(
        partner_id=scope.partner.pk,
        test=False,
        **{f"{seq}__gt": scope.after, f"{seq}__lte": scope.upto},
    )


def days_touched(queryset: QuerySet, time_field: str = "occurred_at") -> Iterable[dt.date]:
    """The distinct local days of ``time_field`` in ``queryset``, counted in the database."""
    from django.db.models.functions import TruncDate

    return (
        queryset.annotate(_day=TruncDate(time_field, tzinfo=SHANGHAI))
        .values_list("_day", flat=True)
        .distinct()
        .order_by()
    )
