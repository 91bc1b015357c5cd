"""The simulation's loop: days planned, requests sent in time order on the simulated clock."""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from auditsvc.base.clock import simulated_clock
from auditsvc.ledger.models import LedgerEntry
from partners.choices import PartnerKind, PartnerStatus
from partners.models import SHANGHAI, Partner

from ..data import PARTNERS, demo_uscc
from .people import Population
from .plan import AgentCast, PartnerCast, Planner
from .ring import Ring, ring_day
from .send import Sender

DEFAULT_DAYS = 30
DEFAULT_RING_DAYS = 4
MAX_DAYS = 85  # seed_demo's default history starts 90 days back; its activity a day later


class SimulationRefused(Exception):
    """The database is not one seed_demo prepared, or it already holds later traffic."""


@dataclass
class SimulationResult:
    start: dt.datetime
    end: dt.datetime
    seed: int
    ring: str | None
    records: dict[str, int] = field(default_factory=dict)
    violations: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "seed": self.seed,
            "ring": self.ring,
            "records": self.records,
            "violations": self.violations,
        }


def demo_partners() -> list[Partner]:
    """The partners seed_demo registered, approved, in its order; refused when missing."""
    codes = [demo_uscc(spec.serial, spec.region) for spec in PARTNERS]
    found = {p.uscc: p for p in Partner.objects.filter(uscc__in=codes)}
    if len(found) != len(codes) or any(p.status != PartnerStatus.APPROVED for p in found.values()):
        raise SimulationRefused(
            "simulate sends its traffic as the demo partners: run seed_demo on a fresh "
            "database first (they must be there, and approved)."
        )
    return [found[code] for code in codes]


def already_simulated(days: int) -> bool:
    """Whether the demo partners' logs hold records after the start of ``days`` of simulation."""
    start = timezone.now() - dt.timedelta(days=days)
    logs = [p.code for p in demo_partners()]
    return LedgerEntry.objects.filter(log_id__in=logs, recorded_at__gt=start).exists()


def simulate(
    *,
    days: int = DEFAULT_DAYS,
    seed: int = 1,
    ring: bool = False,
    ring_days: int = DEFAULT_RING_DAYS,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Send ``days`` of demo traffic, ending now, through the ingestion services.

    The same seed gives the same requests (residents, times, fields, accounts).
    With ``ring``, the last enrolment partner's last agent turns for the last
    ``ring_days`` days before today (``auditsvc.demo.sim.ring``). Refused, before anything is
    written, unless seed_demo prepared the database and the demo partners' logs
    hold nothing later than the simulation's start (a log's time never runs back).
    """
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}")
    partners = demo_partners()
    if already_simulated(days):
        raise SimulationRefused(
            f"The demo partners' logs already hold records from the last {days} days "
            "(a simulation ran, or partner software reported): simulated history cannot go "
            "under them. Start again from a fresh database and seed_demo."
        )
    end = timezone.now()
    start = end - dt.timedelta(days=days)
    rng = random.Random(seed)  # noqa: S311 - made-up traffic, reproducible by seed
    enrolment = [p for p in partners if p.kind == PartnerKind.ENROLMENT_PARTNER]
    platform = next((p for p in partners if p.kind == PartnerKind.ACCOUNT_PLATFORM), None)
    casts = [
        PartnerCast(
            code=partner.code,
            region=next(
                spec.region
                for spec in PARTNERS
                if demo_uscc(spec.serial, spec.region) == partner.uscc
            ),
            agents=[
                AgentCast(code, f"tablet-{partner.code}-{code}")
                for code in partner.agents.filter(status="active")
                .order_by("code")
                .values_list("code", flat=True)
            ],
        )
        for partner in enrolment
    ]
    planner = Planner(rng, Population(rng, end.year), platform.code if platform else None)
    gang = Ring.inside(casts[-1], planner) if ring else None
    sender = Sender({p.code: p for p in partners})

    first_day = start.astimezone(SHANGHAI).date()
    last_day = end.astimezone(SHANGHAI).date()
    # The ring's days end yesterday: today's evening has not come yet.
    ring_from, ring_until = last_day - dt.timedelta(days=ring_days), last_day - dt.timedelta(days=1)
    total = (last_day - first_day).days + 1
    queue: list = []
    with simulated_clock(start) as clock:
        for number in range(total):
            day = first_day + dt.timedelta(days=number)
            ring_today = gang is not None and ring_from <= day <= ring_until
            for cast in casts:
                agents = [a for a in cast.agents if not (ring_today and a is gang.agent)]
                for action in planner.ordinary_day(cast, day, agents):
                    heapq.heappush(queue, action)
            if ring_today:
                for action in ring_day(planner, gang, day):
                    heapq.heappush(queue, action)
            for action in planner.flush_uploads():
                heapq.heappush(queue, action)
            day_end = min(
                dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), SHANGHAI), end
            )
            # One transaction per simulated day: each request's own transaction becomes a
            # savepoint, and the disk waits for one commit a day instead of thousands.
            with transaction.atomic():
                while queue and queue[0].at < day_end:
                    action = heapq.heappop(queue)
                    if action.at < start:
                        continue
                    clock.set(max(action.at, clock.now()))
                    sender.send(action)
            if progress is not None:
                progress(number + 1, total)
    return SimulationResult(
        start=start,
        end=end,
        seed=seed,
        ring=f"{gang.partner.code} {gang.agent.code}" if gang else None,
        records=dict(sender.records),
        violations=dict(sorted(sender.violations.items())),
    )
