"""What ordinary partners do in a day, as the requests their software would send.

An agent works one village at a time, in office hours (Asia/Shanghai),
opening a session for each resident it helps, reading what the purpose needs
while the session is open, and closing it ten-odd minutes later. Most of the
residents are older: the young have left to work in the cities, and helping
the elderly is ordinary work. Some of the residents helped open an account
with the platform on their own, days or weeks later, from their own phones.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field
from typing import Any

from partners.models import SHANGHAI

from .people import Population, Resident

#: Share of ordinary residents aged 60 and over.
ORDINARY_ELDERLY_SHARE = 0.6
#: Share of residents helped who open an account themselves later.
OWN_ACCOUNT_SHARE = 0.3

SESSION = "session_open"
ACCESS = "access"
CLOSE = "session_close"
ACCOUNT = "account"
#: In a planned access event, the client id of its session, replaced by the session's
#: id when it is sent (the service returns that id when the session opens).
SESSION_KEY = "_session_key"


@dataclass(order=True)
class Action:
    """One request, due at ``at``; ``order`` keeps same-instant requests in plan order."""

    at: dt.datetime
    order: int
    kind: str = field(compare=False)
    partner: str = field(compare=False)
    body: Any = field(compare=False)
    session_key: str | None = field(default=None, compare=False)


@dataclass
class AgentCast:
    code: str
    device: str
    village_left: int = 0


@dataclass
class PartnerCast:
    code: str
    region: str
    agents: list[AgentCast]


class Planner:
    """Turns days into actions; one per simulation, so ids never repeat."""

    def __init__(self, rng: random.Random, population: Population, platform: str | None) -> None:
        self.rng = rng
        self.population = population
        self.platform = platform
        self._order = itertools.count()
        self._ids = itertools.count(1)
        self._accounts = itertools.count(1)
        #: Reads waiting for their tablet's next upload: (partner, agent, when) -> events.
        self.uploads: dict[tuple[str, str, dt.datetime], list[dict]] = {}

    def flush_uploads(self) -> list[Action]:
        """The pending uploads as batch requests (one per tablet and half hour)."""
        actions = [
            self.action(at, ACCESS, partner, events)
            for (partner, _, at), events in sorted(
                self.uploads.items(), key=lambda item: item[0][2]
            )
        ]
        self.uploads = {}
        return actions

    def action(self, at: dt.datetime, kind: str, partner: str, body, session_key=None) -> Action:
        return Action(at.astimezone(dt.UTC), next(self._order), kind, partner, body, session_key)

    def next_id(self, prefix: str) -> str:
        return f"sim-{prefix}{next(self._ids):07d}"

    def next_account(self) -> str:
        return f"acct-{next(self._accounts):08d}"

    # --- ordinary work ------------------------------------------------------------

    def ordinary_day(self, partner: PartnerCast, day: dt.date, agents=None) -> list[Action]:
        """Every agent's sessions on ``day``: weekdays, and some Saturdays.

        The reads wait in ``uploads`` until ``flush_uploads``.
        """
        actions: list[Action] = []
        weekday = day.weekday()
        for agent in agents if agents is not None else partner.agents:
            if weekday == 6 or (weekday == 5 and self.rng.random() > 0.3):
                continue
            actions += self.agent_day(partner, agent, day)
        return actions

    def agent_day(self, partner: PartnerCast, agent: AgentCast, day: dt.date) -> list[Action]:
        rng = self.rng
        moment = dt.datetime.combine(day, dt.time(8, 30), SHANGHAI) + dt.timedelta(
            minutes=rng.randint(0, 45)
        )
        lunch = dt.datetime.combine(day, dt.time(12, 0), SHANGHAI)
        stop = dt.datetime.combine(day, dt.time(17, 0), SHANGHAI) + dt.timedelta(
            minutes=rng.randint(-30, 30)
        )
        actions: list[Action] = []
        while moment < stop:
            if agent.village_left <= 0:
                # The next village: a morning's travel, then its residents, a few days' work.
                agent.village_left = rng.randint(40, 160)
                moment += dt.timedelta(minutes=rng.randint(20, 60))
            if lunch <= moment < lunch + dt.timedelta(minutes=90):
                moment = lunch + dt.timedelta(minutes=rng.randint(75, 100))
            resident = self.population.resident(
                partner.region, elderly_share=ORDINARY_ELDERLY_SHARE
            )
            minutes = rng.randint(7, 18)
            actions += self.session(partner, agent, resident, moment, minutes)
            if rng.random() < OWN_ACCOUNT_SHARE:
                later = moment + dt.timedelta(days=rng.randint(2, 30))
                at = dt.datetime.combine(later.date(), dt.time(7), SHANGHAI) + dt.timedelta(
                    minutes=rng.randint(0, 15 * 60)
                )
                actions += self.own_account(resident, at)
            agent.village_left -= 1
            moment += dt.timedelta(minutes=minutes + rng.randint(2, 10))
        return actions

    def session(
        self,
        partner: PartnerCast,
        agent: AgentCast,
        resident: Resident,
        opened: dt.datetime,
        minutes: int,
        *,
        fields: tuple[list[str], ...] | None = None,
        abandon_share: float = 0.08,
    ) -> list[Action]:
        """Open, one or two reads while it is open (queued for upload), close."""
        rng = self.rng
        key = self.next_id(f"{partner.code}-s")
        purpose = rng.choices(
            ["card_activation", "card_registration", "info_update"], weights=[7, 2, 1]
        )[0]
        opened_body = {
            "client_session_id": key,
            "agent": agent.code,
            "resident": resident.as_identity(),
            "purpose": purpose,
            "region_code": partner.region,
            "device": agent.device,
            "opened_at": opened.isoformat(),
            "consent_ref": f"consent-{key}",
        }
        actions = [self.action(opened, SESSION, partner.code, opened_body, key)]
        if fields is None:
            fields = (["name", "id_number"],)
            if rng.random() < 0.6:
                fields += (rng.choice([["phone"], ["face_image"], ["phone", "face_image"]]),)
        for number, read in enumerate(fields, start=1):
            at = opened + dt.timedelta(seconds=rng.randint(40, 90) * number)
            at = min(at, opened + dt.timedelta(minutes=minutes, seconds=-10))
            event = {
                "client_event_id": self.next_id(f"{partner.code}-e"),
                SESSION_KEY: key,
                "agent": agent.code,
                "resident": resident.as_identity(),
                "fields": read,
                "purpose": purpose,
                "occurred_at": at.isoformat(),
                "device": agent.device,
            }
            # The tablet uploads what it read at the end of each half hour.
            upload = at.replace(minute=30 * (at.minute // 30), second=0, microsecond=0)
            upload += dt.timedelta(minutes=30, seconds=rng.randint(0, 50))
            self.uploads.setdefault((partner.code, agent.code, upload), []).append(event)
        closed = opened + dt.timedelta(minutes=minutes)
        outcome = "abandoned" if rng.random() < abandon_share else "completed"
        close_body = {"closed_at": closed.isoformat(), "outcome": outcome}
        actions.append(self.action(closed, CLOSE, partner.code, close_body, key))
        return actions

    def own_account(self, resident: Resident, at: dt.datetime) -> list[Action]:
        """The resident opens an account from their own phone, some binding it later."""
        if self.platform is None:
            return []
        rng = self.rng
        account = self.next_account()
        channel = rng.choices(["app", "branch", "e_card_activation"], weights=[7, 2, 1])[0]
        actions = [
            self.account_event(
                resident, "opened", account, at, resident.phone, resident.device, channel
            )
        ]
        if rng.random() < 0.3:
            bound = at + dt.timedelta(days=rng.randint(0, 10), minutes=rng.randint(5, 600))
            actions.append(
                self.account_event(
                    resident,
                    "identity_bound",
                    account,
                    bound,
                    resident.phone,
                    resident.device,
                    channel,
                )
            )
        return actions

    def account_event(
        self,
        resident: Resident,
        action: str,
        account: str,
        at: dt.datetime,
        phone: str,
        device: str,
        channel: str,
    ) -> Action:
        body = {
            "client_event_id": self.next_id(f"{self.platform}-a"),
            "holder": resident.as_identity(),
            "action": action,
            "account": account,
            "occurred_at": at.isoformat(),
            "device": device,
            "phone": phone,
            "channel": channel,
        }
        return self.action(at, ACCOUNT, self.platform, [body])
