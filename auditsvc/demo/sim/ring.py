"""A ring like Dengzhou's, inside an approved partner: one of its agents turns.

For its last days the agent (the partner's last, which worked ordinarily
until then) tours villages from morning to evening with sessions of two or
three minutes, several times its usual volume, among residents almost all
aged 65 and over; minutes after each session an account is opened in the
resident's name from one of a few shared phones and devices, bound to the
identity and its limits raised; and late in the evening, long after the
letter's hours, the agent reads the identity data of hundreds of residents
with no session at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from partners.models import SHANGHAI

from .plan import ACCESS, Action, AgentCast, PartnerCast, Planner

RING_ELDERLY_SHARE = 0.95
RING_ELDERLY_FROM = 65
#: Share of the ring's sessions followed by an account opened minutes later.
RING_ACCOUNT_SHARE = 0.7


@dataclass
class Ring:
    """The gang's few phones and devices, shared by every account it opens."""

    partner: PartnerCast
    agent: AgentCast
    phones: list[str]
    devices: list[str]
    laptop: str

    @classmethod
    def inside(cls, partner: PartnerCast, planner: Planner) -> Ring:
        population = planner.population
        return cls(
            partner=partner,
            agent=partner.agents[-1],
            phones=[population.phone() for _ in range(3)],
            devices=["ring-phone-a", "ring-phone-b"],
            laptop="ring-laptop-1",
        )


def ring_day(planner: Planner, ring: Ring, day: dt.date) -> list[Action]:
    rng = planner.rng
    population = planner.population
    partner, agent = ring.partner, ring.agent
    moment = dt.datetime.combine(day, dt.time(8, 0), SHANGHAI)
    stop = dt.datetime.combine(day, dt.time(19, 30), SHANGHAI)
    actions: list[Action] = []
    harvested = []
    while moment < stop:
        resident = population.resident(
            partner.region, elderly_share=RING_ELDERLY_SHARE, elderly_from=RING_ELDERLY_FROM
        )
        harvested.append(resident)
        minutes = rng.randint(2, 3)
        actions += planner.session(
            partner,
            agent,
            resident,
            moment,
            minutes,
            fields=(["name", "id_number", "face_image"],),
            abandon_share=0.0,
        )
        if rng.random() < RING_ACCOUNT_SHARE:
            opened = moment + dt.timedelta(minutes=rng.randint(3, 12))
            actions += _ring_accounts(planner, ring, resident, opened)
        moment += dt.timedelta(minutes=minutes + rng.randint(3, 8))

    # The evening: bulk reads with no session, outside the letter's hours.
    evening = dt.datetime.combine(day, dt.time(21, 0), SHANGHAI)
    extra = [
        population.resident(
            partner.region, elderly_share=RING_ELDERLY_SHARE, elderly_from=RING_ELDERLY_FROM
        )
        for _ in range(rng.randint(80, 140))
    ]
    batch: list[dict] = []
    for number, resident in enumerate(harvested + extra):
        at = evening + dt.timedelta(seconds=20 * number + rng.randint(0, 15))
        batch.append(
            {
                "client_event_id": planner.next_id(f"{partner.code}-e"),
                "session": None,
                "agent": agent.code,
                "resident": resident.as_identity(),
                "fields": ["name", "id_number", "phone"],
                "purpose": "card_activation",
                "occurred_at": at.isoformat(),
                "device": ring.laptop,
            }
        )
        if len(batch) == 50:
            actions.append(planner.action(at, ACCESS, partner.code, batch))
            batch = []
    if batch:
        actions.append(planner.action(at, ACCESS, partner.code, batch))
    return actions


def _ring_accounts(planner: Planner, ring: Ring, resident, opened: dt.datetime) -> list[Action]:
    rng = planner.rng
    phone = rng.choice(ring.phones)
    device = rng.choice(ring.devices)
    actions = []
    for copy in range(2 if rng.random() < 0.1 else 1):
        account = planner.next_account()
        at = opened + dt.timedelta(minutes=copy * 7)
        actions.append(
            planner.account_event(
                resident, "opened", account, at, phone, device, "e_card_activation"
            )
        )
        actions.append(
            planner.account_event(
                resident,
                "identity_bound",
                account,
                at + dt.timedelta(minutes=rng.randint(1, 3)),
                phone,
                device,
                "e_card_activation",
            )
        )
        actions.append(
            planner.account_event(
                resident,
                "limit_raised",
                account,
                at + dt.timedelta(minutes=rng.randint(20, 90)),
                phone,
                device,
                "app",
            )
        )
    return actions
