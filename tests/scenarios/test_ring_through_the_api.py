"""A ring sent through the public API, blatant and subtle: run_detection flags each pattern high.

DESIGN.md "Detection": a ring pattern is at least ``high``. The patterns, as
the Dengzhou case showed them: bulk identity reads with no session late in
the evening (outside the letter's hours), an agent far above its usual
volume, a mix of residents turning sharply older, and accounts opened in the
residents' names minutes after their sessions, from a few shared phones and
devices. The partner worked ordinarily for the days before; the ring works
yesterday (Asia/Shanghai), so its evening is over whenever the test runs.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import pytest

from auditsvc.detection.services import run_detection
from tests import factories

from .software import (
    SHANGHAI,
    EnrolmentSoftware,
    People,
    PlatformSoftware,
    account_platform,
    alerts,
    enrolment_partner,
    local,
    ordinary_days,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("relaxed_throttle")]

HIGH = {"high", "critical"}
RING_AGENT = "A-0002"


@dataclass(frozen=True)
class Ring:
    sessions: int  # daytime sessions of the ring agent (its usual day: about 12)
    session_minutes: float
    old_share: float  # of the ring's residents aged 65 and over (the partner's usual: 55% 60+)
    evening_reads: int  # no session, after the letter's 20:00
    evening_from: tuple[int, int]
    accounts: int  # opened in residents' names near their sessions
    account_delay_minutes: tuple[int, int]  # after the session closed
    phones: int
    devices: int


BLATANT = Ring(
    sessions=100,
    session_minutes=2,
    old_share=0.95,
    evening_reads=300,
    evening_from=(21, 0),
    accounts=70,
    account_delay_minutes=(2, 8),
    phones=2,
    devices=2,
)
# Closer to ordinary work: sessions of five minutes, a mix 85% old, forty late reads
# just after hours, fifteen accounts half an hour after the sessions from four phones.
SUBTLE = Ring(
    sessions=75,
    session_minutes=5,
    old_share=0.85,
    evening_reads=40,
    evening_from=(20, 10),
    accounts=15,
    account_delay_minutes=(20, 45),
    phones=4,
    devices=3,
)


def send_ring(ring: Ring, seed: int, auditor) -> tuple[list[dict], str, str]:
    rng = random.Random(seed)
    people = People(rng)
    partner = enrolment_partner()
    platform = account_platform()
    software = EnrolmentSoftware(partner)
    accounts = PlatformSoftware(platform)
    today = dt.datetime.now(SHANGHAI).date()
    yesterday = today - dt.timedelta(days=1)
    history = [today - dt.timedelta(days=k) for k in range(10, 1, -1)]
    ordinary_days(
        software, people, history, {"A-0001": 8, RING_AGENT: 12}, old_share=0.55, platform=accounts
    )
    # The ring's day: the other agent works as usual.
    ordinary_days(software, people, [yesterday], {"A-0001": 8}, old_share=0.55)

    shared_phones = [f"+86135000000{n:02d}" for n in range(ring.phones)]
    shared_devices = [f"gang-phone-{n}" for n in range(ring.devices)]
    moment = local(yesterday, 8, 30)
    span = (local(yesterday, 19, 0) - moment) / ring.sessions
    victims = []
    for number in range(ring.sessions):
        person = people.one(old_share=ring.old_share, old_from=65)
        victims.append(person)
        software.session(
            RING_AGENT,
            person,
            moment,
            ring.session_minutes,
            reads=(["name", "id_number", "face_image"],),
        )
        if number < ring.accounts:
            closed = moment + dt.timedelta(minutes=ring.session_minutes)
            opened = closed + dt.timedelta(minutes=rng.randint(*ring.account_delay_minutes))
            phone, device = rng.choice(shared_phones), rng.choice(shared_devices)
            account = accounts.account(person, opened, phone=phone, device=device)
            accounts.account(
                person,
                opened + dt.timedelta(minutes=2),
                phone=phone,
                device=device,
                action="identity_bound",
                account=account,
            )
        moment += span
    evening = local(yesterday, *ring.evening_from)
    step = dt.timedelta(minutes=50) / ring.evening_reads
    for number in range(ring.evening_reads):
        person = (
            victims[number] if number < len(victims) else people.one(old_share=0.95, old_from=65)
        )
        software.read(RING_AGENT, person, evening + step * number, ["name", "id_number", "phone"])
    software.upload()
    accounts.upload()

    run_detection()
    return alerts(factories.issue_test_token(auditor)), partner.code, platform.code


def strongest(
    found: list[dict], rule: str, *, partner: str, kinds=("agent", "partner")
) -> str | None:
    """The highest severity of the rule's alerts about the partner (or its agent)."""
    order = ["low", "medium", "high", "critical"]
    severities = [
        a["severity"]
        for a in found
        if a["rule"] == rule and a["partner"] == partner and a["subject"]["kind"] in kinds
    ]
    return max(severities, key=order.index) if severities else None


def check_patterns(found: list[dict], partner: str, platform: str) -> dict[str, str | None]:
    """Each ring pattern of DESIGN.md and the severity it was flagged at."""
    return {
        # bulk reads without sessions, late in the evening
        "access_without_session": strongest(found, "access_without_session", partner=partner),
        "out_of_scope_access": strongest(found, "out_of_scope_access", partner=partner),
        # an agent far above its usual volume
        "volume_spike": strongest(found, "volume_spike", partner=partner),
        # a mix turning sharply older
        "elderly_concentration": strongest(found, "elderly_concentration", partner=partner),
        # accounts opened minutes after sessions
        "account_opened_near_session": strongest(
            found,
            "account_opened_near_session",
            partner=partner,
            kinds=("agent", "partner", "session"),
        ),
        # from a few shared phones and devices
        "shared_phone_accounts": strongest(
            found, "shared_phone_accounts", partner=platform, kinds=("phone",)
        ),
        "shared_device_accounts": strongest(
            found, "shared_device_accounts", partner=platform, kinds=("device",)
        ),
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_a_blatant_ring_is_flagged_high_on_every_pattern(seed, auditor):
    found, partner, platform = send_ring(BLATANT, seed, auditor)
    caught = check_patterns(found, partner, platform)
    assert {rule: severity in HIGH for rule, severity in caught.items()} == dict.fromkeys(
        caught, True
    ), caught
    # Two-minute sessions, and more reads than the letter's daily cap allows.
    assert strongest(found, "session_too_short", partner=partner) in HIGH
    assert strongest(found, "daily_cap_exceeded", partner=partner) in HIGH


def test_a_subtle_ring_is_flagged_high_on_every_pattern(auditor):
    found, partner, platform = send_ring(SUBTLE, 3, auditor)
    caught = check_patterns(found, partner, platform)
    assert {rule: severity in HIGH for rule, severity in caught.items()} == dict.fromkeys(
        caught, True
    ), caught
