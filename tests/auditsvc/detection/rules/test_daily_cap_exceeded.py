"""daily_cap_exceeded: accesses past the authorisation's daily cap, per agent and day."""

from __future__ import annotations

import pytest

from partners.models import Authorisation
from tests.auditsvc.detection.support import alerts, detect, local, read_many

RULE = "daily_cap_exceeded"


@pytest.fixture
def capped(partner):
    Authorisation.objects.filter(partner=partner).update(daily_cap_per_agent=10)
    return partner


def test_it_fires_on_the_accesses_past_the_cap(capped, yesterday):
    read_many(capped, local(yesterday, 10), range(1, 16))
    detect(RULE)
    (alert,) = alerts(RULE)
    assert alert.numbers["count"] == 5
    assert alert.subject_ref == "A-0001"
    assert alert.severity == "medium"  # five residents past the cap


def test_it_is_silent_at_the_cap_itself(capped, yesterday):
    read_many(capped, local(yesterday, 10), range(1, 11))
    detect(RULE)
    assert alerts(RULE) == []
