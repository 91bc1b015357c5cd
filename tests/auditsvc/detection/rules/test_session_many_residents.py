"""session_many_residents: one session used to read several residents."""

from __future__ import annotations

import pytest

from tests.auditsvc.detection.support import alerts, detect, local, open_session, read_many

RULE = "session_many_residents"


@pytest.mark.parametrize(
    ("residents", "severity"), [(2, None), (3, "medium"), (9, "medium"), (10, "high")]
)
def test_it_counts_distinct_residents_in_one_session(partner, yesterday, residents, severity):
    session = open_session(partner, local(yesterday, 10), 1, minutes=60)
    read_many(partner, local(yesterday, 10, 5), range(1, residents + 1), session=session)
    detect(RULE)
    found = alerts(RULE)
    assert [alert.severity for alert in found] == ([severity] if severity else [])
    if found:
        assert (found[0].subject_kind, found[0].subject_ref) == ("session", str(session.pk))
        assert found[0].numbers["residents"] == residents


def test_rereading_the_sessions_own_resident_is_ordinary(partner, yesterday):
    session = open_session(partner, local(yesterday, 10), 1, minutes=60)
    read_many(partner, local(yesterday, 10, 5), [1, 1, 1, 1, 1], session=session)
    detect(RULE)
    assert alerts(RULE) == []
