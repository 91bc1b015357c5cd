"""Violations: each code fires when the record breaks the authorisation, and only then.

A well-formed record is always recorded; the breach comes back as
``violations``, is stored on the row and is signed in the ledger entry.
"""

from __future__ import annotations

import datetime as dt

import pytest

from auditsvc.ingestion.models import AccessEvent, EnrolmentSession
from partners.choices import AgentStatus, PartnerStatus, Violation
from partners.models import SHANGHAI, AgentStatusChange
from partners.services.agents import agent_set_status
from tests import factories

from .support import (
    ACCESS_URL,
    OTHER_RESIDENT,
    SESSIONS_URL,
    access_event,
    close_url,
    entry_body,
    post,
    resident,
    session_body,
)

BEIJING_RESIDENT = factories.make_resident_id("110105", dt.date(1949, 12, 31), 2)


def record(client, *events) -> list[list[str]]:
    """Post access events; return each one's violations (checking row and ledger agree)."""
    response = post(client, ACCESS_URL, {"events": list(events)})
    assert response.status_code == 201, response.content
    results = response.json()["results"]
    for result in results:
        row = AccessEvent.objects.get(
            client_event_id=result["client_event_id"], partner__code=result["receipt"]["log"]
        )
        assert row.violation_list == result["violations"]
        assert entry_body(row.ledger_entry)["violations"] == result["violations"]
    return [result["violations"] for result in results]


def open_session(client, at, **overrides) -> dict:
    response = post(client, SESSIONS_URL, session_body(at, **overrides))
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def session(partner_client, now):
    return open_session(partner_client, now - dt.timedelta(minutes=30))


def test_it_records_no_violation_for_an_access_within_scope(partner_client, session, now):
    assert record(partner_client, access_event(now, session=session["id"])) == [[]]
    assert session["violations"] == []


def test_it_flags_a_partner_that_is_not_approved(partner_client, vetted_partner, session, now):
    vetted_partner.__class__.objects.filter(pk=vetted_partner.pk).update(
        status=PartnerStatus.SUSPENDED
    )

    [violations] = record(partner_client, access_event(now, session=session["id"]))
    opened = open_session(partner_client, now, client_session_id="s-2")

    assert violations == ["partner_not_approved"]
    assert opened["violations"] == ["partner_not_approved"]
    assert AccessEvent.objects.count() == 1


def test_it_flags_an_access_outside_the_authorisations_dates(partner_client, session, now):
    long_ago = now - dt.timedelta(days=30)  # the authorisation starts 10 days ago

    assert record(partner_client, access_event(long_ago)) == [
        ["authorisation_expired", "no_open_session"]
    ]


def test_it_flags_a_revoked_authorisation(partner_client, vetted_partner, session, now):
    # Revoked before the access: a revocation counts from its moment on.
    vetted_partner.authorisations.update(revoked_at=now - dt.timedelta(seconds=1))

    [violations] = record(partner_client, access_event(now, session=session["id"]))

    assert violations == ["authorisation_expired"]


def test_it_checks_the_sessions_region_where_the_enrolment_happens(partner_client, now):
    beijing = open_session(partner_client, now - dt.timedelta(minutes=5), region_code="110105")
    # A resident whose number was issued in Beijing, enrolled in Dengzhou: in scope.
    here = open_session(
        partner_client,
        now - dt.timedelta(minutes=5),
        client_session_id="s-2",
        resident=resident(BEIJING_RESIDENT),
    )

    assert beijing["violations"] == ["region_not_authorised"]
    assert here["violations"] == []
    assert record(
        partner_client,
        access_event(now, 1, session=beijing["id"]),
        access_event(now, 2, session=here["id"], resident=resident(BEIJING_RESIDENT)),
    ) == [["region_not_authorised"], []]


def test_it_falls_back_to_the_numbers_own_region_without_a_session(partner_client, now):
    assert record(
        partner_client,
        access_event(now, 1, resident=resident(BEIJING_RESIDENT)),
        access_event(now, 2),
    ) == [["region_not_authorised", "no_open_session"], ["no_open_session"]]


def test_it_flags_a_purpose_the_partner_may_not_pursue(partner_client, vetted_partner, now):
    vetted_partner.authorisations.update(purposes=["card_activation"])
    session = open_session(partner_client, now - dt.timedelta(minutes=5), purpose="info_update")

    [violations] = record(
        partner_client, access_event(now, session=session["id"], purpose="info_update")
    )

    assert session["violations"] == ["purpose_not_authorised"]
    assert violations == ["purpose_not_authorised"]


def test_it_flags_a_field_the_partner_may_not_read(partner_client, session, now):
    assert record(
        partner_client,
        access_event(now, 1, session=session["id"], fields=["name", "bank_account"]),
        access_event(now, 2, session=session["id"], fields=["name", "face_image"]),
    ) == [["field_not_permitted"], []]


def test_it_flags_an_access_outside_the_authorised_hours(partner_client, vetted_partner, now):
    vetted_partner.authorisations.update(hours_start=dt.time(8), hours_end=dt.time(18))
    yesterday = (now.astimezone(SHANGHAI) - dt.timedelta(days=1)).date()
    night = dt.datetime.combine(yesterday, dt.time(3, 0), SHANGHAI)
    noon = dt.datetime.combine(yesterday, dt.time(12, 0), SHANGHAI)
    evening = dt.datetime.combine(yesterday, dt.time(18, 0), SHANGHAI)  # the end is exclusive
    session = open_session(partner_client, night - dt.timedelta(minutes=5))

    assert session["violations"] == ["outside_hours"]
    assert record(
        partner_client,
        access_event(night, 1),
        access_event(noon, 2),
        access_event(evening, 3),
    ) == [
        ["outside_hours", "no_open_session"],
        ["no_open_session"],
        ["outside_hours", "no_open_session"],
    ]


def test_it_flags_an_unknown_agent(partner_client, other_partner, session, now):
    factories.AgentFactory(partner=other_partner, code="A-0042")  # someone else's agent

    opened = open_session(partner_client, now, client_session_id="s-2", agent="A-0042")
    [violations] = record(partner_client, access_event(now, session=session["id"], agent="A-0042"))

    assert opened["violations"] == ["agent_unknown"]
    assert violations == ["agent_unknown"]
    assert AccessEvent.objects.get().agent is None
    assert EnrolmentSession.objects.get(client_session_id="s-2").agent is None


@pytest.mark.parametrize("status", [AgentStatus.SUSPENDED, AgentStatus.LEFT])
def test_it_flags_an_agent_who_may_no_longer_work(
    partner_client, vetted_partner, session, now, status
):
    agent = vetted_partner.agents.get(code="A-0002")
    agent.status = status
    agent.save()

    opened = open_session(partner_client, now, client_session_id="s-2", agent="A-0002")
    [violations] = record(partner_client, access_event(now, session=session["id"], agent="A-0002"))

    assert opened["violations"] == ["agent_suspended"]
    assert violations == ["agent_suspended"]
    assert AccessEvent.objects.get().agent == agent  # still tied to the registered agent


def _set_agent_status(agent, status, staff, at: dt.datetime) -> None:
    """Change the agent's status through the service, dated ``at`` in its history."""
    agent_set_status(agent, status, actor=staff, reason="test")
    AgentStatusChange.objects.filter(pk=agent.status_changes.latest("id").pk).update(changed_at=at)


def test_it_flags_an_access_made_while_the_agent_was_suspended(
    partner_client, vetted_partner, staff, now
):
    # Uploaded late, after the agent was reactivated: the access still happened
    # during the suspension.
    agent = vetted_partner.agents.get(code="A-0001")
    session = open_session(partner_client, now - dt.timedelta(minutes=40))
    _set_agent_status(agent, AgentStatus.SUSPENDED, staff, now - dt.timedelta(minutes=30))
    _set_agent_status(agent, AgentStatus.ACTIVE, staff, now - dt.timedelta(minutes=10))

    late_session = open_session(
        partner_client, now - dt.timedelta(minutes=20), client_session_id="s-2"
    )

    assert session["violations"] == []
    assert late_session["violations"] == ["agent_suspended"]
    assert record(
        partner_client,
        access_event(now - dt.timedelta(minutes=35), 1, session=session["id"]),
        access_event(now - dt.timedelta(minutes=20), 2, session=session["id"]),
        access_event(now - dt.timedelta(minutes=5), 3, session=session["id"]),
    ) == [[], ["agent_suspended"], []]


def test_it_flags_an_access_made_before_the_agent_was_suspended_if_it_is_now(
    partner_client, vetted_partner, session, staff, now
):
    agent = vetted_partner.agents.get(code="A-0001")
    _set_agent_status(agent, AgentStatus.SUSPENDED, staff, now - dt.timedelta(minutes=10))

    [violations] = record(
        partner_client, access_event(now - dt.timedelta(minutes=20), session=session["id"])
    )

    assert session["violations"] == []  # opened before the suspension, and checked then
    assert violations == ["agent_suspended"]


def test_it_does_not_flag_an_agent_active_at_the_access_and_now(
    partner_client, vetted_partner, staff, now
):
    agent = vetted_partner.agents.get(code="A-0001")
    _set_agent_status(agent, AgentStatus.SUSPENDED, staff, now - dt.timedelta(hours=2))
    _set_agent_status(agent, AgentStatus.ACTIVE, staff, now - dt.timedelta(hours=1))
    session = open_session(partner_client, now - dt.timedelta(minutes=30))

    assert session["violations"] == []
    assert record(partner_client, access_event(now, session=session["id"])) == [[]]


def test_it_flags_an_access_with_no_open_session_for_that_resident(partner_client, now):
    opened_at = now - dt.timedelta(hours=2)
    closed_at = now - dt.timedelta(hours=1)
    session = open_session(partner_client, opened_at)
    post(
        partner_client,
        close_url(session["id"]),
        {"closed_at": closed_at.isoformat(), "outcome": "completed"},
    )

    assert record(
        partner_client,
        access_event(opened_at + dt.timedelta(minutes=1), 1, session=session["id"]),
        access_event(closed_at, 2, session=session["id"]),  # the close instant still counts
        access_event(opened_at - dt.timedelta(minutes=1), 3, session=session["id"]),
        access_event(now, 4, session=session["id"]),
        access_event(
            opened_at + dt.timedelta(minutes=1),
            5,
            session=session["id"],
            resident=resident(OTHER_RESIDENT),
        ),
        access_event(now, 6, session=None),
        access_event(now, 7, session="9a1f0d8e-0000-4000-8000-000000000000"),
    ) == [
        [],
        [],
        ["no_open_session"],
        ["no_open_session"],
        ["no_open_session"],
        ["no_open_session"],
        ["no_open_session"],
    ]


def test_it_flags_accesses_beyond_the_agents_daily_cap(
    partner_client, vetted_partner, session, now
):
    vetted_partner.authorisations.update(daily_cap_per_agent=2, daily_cap_per_partner=None)
    sid = session["id"]

    first = record(
        partner_client,
        access_event(now, 1, session=sid),
        access_event(now, 2, session=sid),
        access_event(now, 3, session=sid),
        access_event(now, 4, session=sid, agent="A-0002"),
    )
    later = record(partner_client, access_event(now, 5, session=sid))

    assert first == [[], [], ["daily_cap_exceeded"], []]
    assert later == [["daily_cap_exceeded"]]


def test_it_flags_accesses_beyond_the_partners_daily_cap(partner_client, vetted_partner, now):
    vetted_partner.authorisations.update(daily_cap_per_agent=None, daily_cap_per_partner=2)
    yesterday = now - dt.timedelta(days=1)

    violations = record(
        partner_client,
        access_event(now, 1, agent="A-0001"),
        access_event(now, 2, agent="A-0002"),
        access_event(now, 3, agent="A-0002"),
        access_event(yesterday, 4, agent="A-0001"),  # another day, another count
    )

    assert [("daily_cap_exceeded" in v) for v in violations] == [False, False, True, False]


def test_it_counts_days_in_asia_shanghai(partner_client, vetted_partner, now):
    vetted_partner.authorisations.update(daily_cap_per_agent=1, daily_cap_per_partner=None)
    day = (now.astimezone(SHANGHAI) - dt.timedelta(days=2)).date()
    # 23:30 and 00:30 Shanghai time: the same UTC day, two local days.
    late = dt.datetime.combine(day, dt.time(23, 30), SHANGHAI)
    early = late + dt.timedelta(hours=1)

    violations = record(partner_client, access_event(late, 1), access_event(early, 2))

    assert ["daily_cap_exceeded" in v for v in violations] == [False, False]


def test_it_lists_violations_in_a_stable_order(partner_client, vetted_partner, now):
    vetted_partner.__class__.objects.filter(pk=vetted_partner.pk).update(
        status=PartnerStatus.SUSPENDED
    )
    vetted_partner.authorisations.update(purposes=["card_activation"], daily_cap_per_agent=1)

    violations = record(
        partner_client,
        access_event(now, 1),
        access_event(
            now,
            2,
            agent="A-0404",
            purpose="benefit_enquiry",
            fields=["medical_record"],
            resident=resident(BEIJING_RESIDENT),
        ),
    )

    order = [code.value for code in Violation]
    assert violations[1] == sorted(violations[1], key=order.index)
    assert violations[1] == [
        "partner_not_approved",
        "region_not_authorised",
        "purpose_not_authorised",
        "field_not_permitted",
        "agent_unknown",
        "no_open_session",
    ]


def test_a_duplicate_keeps_its_original_violations(partner_client, vetted_partner, now):
    [first] = record(partner_client, access_event(now, 1, agent="A-0404"))
    factories.AgentFactory(partner=vetted_partner, code="A-0404")  # registered afterwards

    again = post(partner_client, ACCESS_URL, {"events": [access_event(now, 1, agent="A-0404")]})

    assert again.status_code == 201  # DESIGN.md: always 201
    assert again.json()["results"][0]["violations"] == first == ["agent_unknown", "no_open_session"]
