"""out_of_scope_access: accesses outside the authorisation, one alert per agent and day."""

from __future__ import annotations

from tests.auditsvc.detection.support import alerts, detect, local, open_session, read

RULE = "out_of_scope_access"


def test_it_fires_on_fields_not_permitted_and_unknown_agents(partner, yesterday):
    session = open_session(partner, local(yesterday, 10), 1, minutes=30)
    read(partner, local(yesterday, 10, 5), 1, session=session, fields=("bank_account",))
    read(partner, local(yesterday, 11), 2, agent="A-0999")
    detect(RULE)
    by_agent = {alert.subject_ref: alert for alert in alerts(RULE)}
    assert set(by_agent) == {"A-0001", "A-0999"}
    assert by_agent["A-0001"].numbers["by_code"] == {"field_not_permitted": 1}
    assert "agent_unknown" in by_agent["A-0999"].numbers["by_code"]
    assert by_agent["A-0001"].severity == "low"


def test_a_session_in_a_region_not_authorised_counts_with_its_accesses(partner, yesterday):
    session = open_session(partner, local(yesterday, 10), 1, region="110105")
    read(partner, local(yesterday, 10, 5), 1, session=session)
    detect(RULE)
    (alert,) = alerts(RULE)
    assert alert.numbers["by_code"] == {"region_not_authorised": 2}
    assert alert.numbers["residents"] == 1  # the session and its access: one resident


def test_it_is_silent_within_the_authorisation(partner, yesterday):
    session = open_session(partner, local(yesterday, 10), 1, minutes=30)
    read(partner, local(yesterday, 10, 5), 1, session=session)
    detect(RULE)
    assert alerts(RULE) == []
