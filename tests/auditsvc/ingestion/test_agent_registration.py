"""An agent is judged at the access time, as the partner is: before its registration it is
unknown (``agent_unknown``), even when the access is uploaded after it."""

from __future__ import annotations

import datetime as dt

import pytest

from auditsvc.ingestion.models import AccessEvent, EnrolmentSession
from auditsvc.ingestion.services._common import agent_registered_at
from partners.models import SHANGHAI
from partners.services.agents import agent_register
from tests import factories

from .support import ACCESS_URL, SESSIONS_URL, access_event, post, session_body


def record(client, *events) -> list[list[str]]:
    response = post(client, ACCESS_URL, {"events": list(events)})
    assert response.status_code == 201, response.content
    return [result["violations"] for result in response.json()["results"]]


def open_session(client, at, **overrides) -> dict:
    response = post(client, SESSIONS_URL, session_body(at, **overrides))
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def newcomer(vetted_partner, now):
    """Agent A-0009, registered by the bureau an hour ago."""
    created_at = now - dt.timedelta(hours=1)
    return factories.AgentFactory(
        partner=vetted_partner,
        code="A-0009",
        # The day of the registration, not of now: in Beijing's first hour they differ, and
        # the test then failed (the registration counted from midnight, after `after`).
        registered_on=created_at.astimezone(SHANGHAI).date(),
        created_at=created_at,
    )


def test_an_access_from_before_the_agent_was_registered_is_agent_unknown(
    partner_client, newcomer, now
):
    before, after = now - dt.timedelta(hours=2), now - dt.timedelta(minutes=30)

    opened_before = open_session(partner_client, before, client_session_id="s-b", agent="A-0009")
    opened_after = open_session(partner_client, after, client_session_id="s-a", agent="A-0009")
    violations = record(
        partner_client,
        access_event(before, 1, session=opened_before["id"], agent="A-0009"),
        access_event(after, 2, session=opened_after["id"], agent="A-0009"),
    )

    assert opened_before["violations"] == ["agent_unknown"]
    assert opened_after["violations"] == []
    assert violations == [["agent_unknown"], []]
    # Unknown at the time, like an agent nobody registered: not tied to the later agent.
    assert AccessEvent.objects.get(client_event_id="e-1").agent is None
    assert AccessEvent.objects.get(client_event_id="e-2").agent == newcomer
    assert EnrolmentSession.objects.get(client_session_id="s-b").agent is None


def test_a_registration_day_typed_in_the_past_does_not_reach_back(
    partner_client, vetted_partner, staff, now
):
    # Staff register the agent now, saying it started a week ago: the bureau did not know
    # it then, so accesses from that week stay flagged.
    agent_register(
        vetted_partner,
        actor=staff,
        code="A-0010",
        name="Zhang San",
        phone="+8613800000000",
        id_number=factories.make_resident_id("411381", dt.date(1990, 1, 1), 11),
        registered_on=(now - dt.timedelta(days=7)).astimezone(SHANGHAI).date(),
    )
    three_days_ago = now - dt.timedelta(days=3)
    assert record(partner_client, access_event(three_days_ago, agent="A-0010")) == [
        ["agent_unknown", "no_open_session"]
    ]


def test_a_registration_day_in_the_future_starts_that_day():
    created = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
    starts = agent_registered_at(created, dt.date(2026, 3, 5))
    assert starts == dt.datetime(2026, 3, 5, 0, 0, tzinfo=SHANGHAI)
    assert agent_registered_at(created, dt.date(2026, 2, 1)) == created
