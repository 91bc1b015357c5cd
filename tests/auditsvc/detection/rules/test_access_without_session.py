"""access_without_session: reads with no open session, one alert per agent and local day."""

from __future__ import annotations

import pytest

from tests.auditsvc.detection.support import alerts, detect, local, open_session, read, read_many

RULE = "access_without_session"


def test_it_fires_on_evening_reads_without_a_session(partner, yesterday):
    read_many(partner, local(yesterday, 21), range(1, 31))
    detect(RULE)
    (alert,) = alerts(RULE)
    assert (alert.subject_kind, alert.subject_ref, alert.severity) == ("agent", "A-0001", "high")
    assert alert.numbers["residents"] == 30
    assert alert.numbers["evening"] == 30
    assert len(alert.entries) == 30
    assert {entry["log"] for entry in alert.entries} == {partner.code}


def test_it_is_silent_on_reads_inside_open_sessions(partner, yesterday):
    for n in range(1, 6):
        session = open_session(partner, local(yesterday, 9, n), n, minutes=30)
        read(partner, local(yesterday, 9, n + 1), n, session=session)
    detect(RULE)
    assert alerts(RULE) == []


@pytest.mark.parametrize(
    ("residents", "severity"), [(1, "low"), (4, "low"), (5, "medium"), (19, "medium"), (20, "high")]
)
def test_its_severity_follows_the_residents_thresholds(partner, yesterday, residents, severity):
    read_many(partner, local(yesterday, 10), range(1, residents + 1))
    detect(RULE)
    assert [alert.severity for alert in alerts(RULE)] == [severity]


def test_a_late_record_updates_the_days_alert_instead_of_adding_one(partner, yesterday, today):
    read(partner, local(yesterday, 10), 1)
    detect(RULE)
    read(partner, local(today, 8), 2)  # another day: its own alert
    read(partner, local(yesterday, 23), 3)  # uploaded late, for yesterday
    detect(RULE)
    by_day = {alert.numbers["day"]: alert.numbers["residents"] for alert in alerts(RULE)}
    assert by_day == {yesterday.isoformat(): 2, today.isoformat(): 1}
