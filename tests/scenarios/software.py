"""Partner software as the partner guide describes it: HTTP requests with an API key.

Written from DESIGN.md ("API v1 in detail", "Detection"), not from the demo's
simulator: these scenarios are an outside check of the rules.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

from django.conf import settings

from partners import choices
from tests import factories
from tests.conftest import bearer_client, record_approval
from tests.factories import make_resident_id

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
REGION = "411381"
BATCH = 500


@dataclass(frozen=True)
class Person:
    id_number: str
    age: int
    phone: str
    device: str

    @property
    def identity(self) -> dict:
        return {"scheme": "cn-resident-id", "value": self.id_number}


class People:
    """Distinct made-up residents with a chosen share of older people."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._serial = itertools.count(1)

    def one(self, *, old_share: float, old_from: int = 60) -> Person:
        rng = self.rng
        age = rng.randint(old_from, 92) if rng.random() < old_share else rng.randint(20, 59)
        # The rules take age as the access year minus the birth year.
        year = dt.date.today().year - age
        n = next(self._serial)
        born = dt.date(year, 1 + n % 12, 1 + n % 28)
        number = make_resident_id(REGION, born, n % 1000)
        return Person(number, age, f"+86137{n:08d}", f"own-phone-{n}")

    def many(self, count: int, **kwargs) -> list[Person]:
        return [self.one(**kwargs) for _ in range(count)]


def enrolment_partner(agents: tuple[str, ...] = ("A-0001", "A-0002")):
    """An approved partner (since 2020) with a letter for REGION, 08:00-20:00, caps 200/1000."""
    partner = factories.PartnerFactory(status=choices.PartnerStatus.APPROVED)
    record_approval(partner)
    for doc_type in settings.AUDITSVC_REQUIRED_DOCUMENTS:
        factories.DocumentFactory(partner=partner, doc_type=doc_type)
    factories.AuthorisationFactory(
        partner=partner,
        regions=[REGION],
        valid_from=dt.date.today() - dt.timedelta(days=90),
        hours_start=dt.time(8, 0),
        hours_end=dt.time(20, 0),
        daily_cap_per_agent=200,
        daily_cap_per_partner=1000,
    )
    for code in agents:
        factories.AgentFactory(partner=partner, code=code)
    return partner


def account_platform():
    platform = factories.PartnerFactory(
        kind=choices.PartnerKind.ACCOUNT_PLATFORM, status=choices.PartnerStatus.APPROVED
    )
    record_approval(platform)
    return platform


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), SHANGHAI)


class EnrolmentSoftware:
    """One partner's software: sessions opened and closed, reads uploaded in batches."""

    def __init__(self, partner) -> None:
        self.client = bearer_client(factories.issue_partner_key(partner))
        self._ids = itertools.count(1)
        self.pending: list[dict] = []

    def _post(self, path: str, body: dict) -> dict:
        response = self.client.post(path, body, format="json")
        assert response.status_code == 201, (path, response.content[:500])
        return response.json()

    def session(
        self, agent: str, person: Person, opened: dt.datetime, minutes: float, *, reads=None
    ) -> str:
        """Open a session, read while it is open (uploaded later), close it; its id."""
        session = self._post(
            "/api/v1/sessions",
            {
                "client_session_id": f"s-{next(self._ids)}",
                "agent": agent,
                "resident": person.identity,
                "purpose": "card_activation",
                "region_code": REGION,
                "device": f"tablet-{agent}",
                "opened_at": opened.isoformat(),
            },
        )["id"]
        reads = reads or (["name", "id_number"], ["phone"])
        for number, fields in enumerate(reads, start=1):
            at = opened + dt.timedelta(minutes=minutes) * number / (len(reads) + 1)
            self.read(agent, person, at, fields, session=session, device=f"tablet-{agent}")
        closed = opened + dt.timedelta(minutes=minutes)
        self._post(
            f"/api/v1/sessions/{session}/close",
            {"closed_at": closed.isoformat(), "outcome": "completed"},
        )
        return session

    def read(self, agent, person, at, fields, *, session=None, device="laptop-1") -> None:
        self.pending.append(
            {
                "client_event_id": f"e-{next(self._ids)}",
                "session": session,
                "agent": agent,
                "resident": person.identity,
                "fields": fields,
                "purpose": "card_activation",
                "occurred_at": at.isoformat(),
                "device": device,
            }
        )
        if len(self.pending) >= BATCH:
            self.upload()

    def upload(self) -> None:
        if self.pending:
            self._post("/api/v1/access-events", {"events": self.pending})
            self.pending = []


class PlatformSoftware:
    def __init__(self, platform) -> None:
        self.client = bearer_client(factories.issue_partner_key(platform))
        self._ids = itertools.count(1)
        self.pending: list[dict] = []

    def account(
        self,
        person: Person,
        at: dt.datetime,
        *,
        phone: str,
        device: str,
        action="opened",
        account=None,
    ):
        account = account or f"acct-{next(self._ids)}"
        self.pending.append(
            {
                "client_event_id": f"a-{next(self._ids)}",
                "holder": person.identity,
                "action": action,
                "account": account,
                "occurred_at": at.isoformat(),
                "device": device,
                "phone": phone,
                "channel": "e_card_activation",
            }
        )
        return account

    def upload(self) -> None:
        for start in range(0, len(self.pending), BATCH):
            response = self.client.post(
                "/api/v1/account-events",
                {"events": self.pending[start : start + BATCH]},
                format="json",
            )
            assert response.status_code == 201, response.content[:500]
        self.pending = []


def ordinary_days(
    software: EnrolmentSoftware,
    people: People,
    days: list[dt.date],
    per_agent: dict[str, int],
    *,
    old_share: float,
    platform: PlatformSoftware | None = None,
) -> None:
    """Agents helping residents one session each, 09:00 on, 10-16 minutes a session.

    A few residents open an account themselves, days later, from their own phone.
    """
    rng = people.rng
    today = dt.datetime.now(SHANGHAI).date()
    for day in days:
        for agent, count in per_agent.items():
            moment = local(day, 9, rng.randint(0, 20))
            for _ in range(count + rng.randint(-2, 2)):
                person = people.one(old_share=old_share)
                minutes = rng.uniform(10, 16)
                software.session(agent, person, moment, minutes)
                if platform is not None and rng.random() < 0.2:
                    later = day + dt.timedelta(days=rng.randint(2, 20))
                    if later < today:
                        platform.account(
                            person,
                            local(later, rng.randint(8, 21)),
                            phone=person.phone,
                            device=person.device,
                        )
                moment += dt.timedelta(minutes=minutes + rng.uniform(3, 9))
                if moment.hour == 12:
                    moment += dt.timedelta(hours=1, minutes=20)
    software.upload()
    if platform is not None:
        platform.upload()


def alerts(token: str) -> list[dict]:
    """Every alert, read through the public API as an auditor would."""
    client = bearer_client(token)
    found, url = [], "/api/v1/alerts?page_size=500"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        page = response.json()
        found += page["results"]
        url = page["next"]
    return found
