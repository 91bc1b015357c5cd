"""Ordinary work sent through the public API raises no high or critical alert, whatever the seed.

DESIGN.md "Detection": helping the elderly is ordinary work, so a partner
whose residents are always old is not flagged; residents who open an
account on their own, days later from their own phones, are not a ring.
"""

from __future__ import annotations

import datetime as dt
import random

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
    ordinary_days,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("relaxed_throttle")]


def send_ordinary(seed: int, *, old_share: float, auditor) -> list[dict]:
    rng = random.Random(seed)
    people = People(rng)
    partner = enrolment_partner()
    software = EnrolmentSoftware(partner)
    platform = PlatformSoftware(account_platform())
    today = dt.datetime.now(SHANGHAI).date()
    days = [today - dt.timedelta(days=k) for k in range(9, 0, -1)]
    # Busier and quieter days: each agent's count varies by a fifth either way.
    ordinary_days(
        software, people, days, {"A-0001": 8, "A-0002": 12}, old_share=old_share, platform=platform
    )
    run_detection()
    return alerts(factories.issue_test_token(auditor))


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_ordinary_partners_raise_nothing_high(seed, auditor):
    found = send_ordinary(seed, old_share=0.55, auditor=auditor)
    assert [a for a in found if a["severity"] in {"high", "critical"}] == []


def test_a_partner_whose_residents_are_always_old_is_not_flagged(auditor):
    found = send_ordinary(21, old_share=0.9, auditor=auditor)
    assert [a for a in found if a["severity"] in {"high", "critical"}] == []
    assert [a for a in found if a["rule"] == "elderly_concentration"] == []
