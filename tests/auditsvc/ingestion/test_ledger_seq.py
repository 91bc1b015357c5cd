"""Every record carries the seq of its ledger entry (detection finds new records by it)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F

from auditsvc.ingestion.models import AccessEvent, AccountEvent, EnrolmentSession
from tests import factories
from tests.conftest import bearer_client

from .support import (
    ACCESS_URL,
    ACCOUNT_URL,
    SESSIONS_URL,
    access_event,
    account_event,
    close_url,
    post,
    session_body,
)


def test_records_copy_the_seq_of_their_entries_in_live_and_test_logs(
    partner_client, platform_client, vetted_partner, now
):
    test_client = bearer_client(factories.issue_partner_key(vetted_partner, test=True))
    for client in (partner_client, test_client):
        session = post(client, SESSIONS_URL, session_body(now - dt.timedelta(minutes=9))).json()
        events = [access_event(now, n, session=session["id"]) for n in (1, 2, 3)]
        assert post(client, ACCESS_URL, {"events": events}).status_code == 201
        closed = post(
            client, close_url(session["id"]), {"closed_at": now.isoformat(), "outcome": "completed"}
        )
        assert closed.status_code == 201, closed.content
    answer = post(platform_client, ACCOUNT_URL, {"events": [account_event(now, 1)]})
    assert answer.status_code == 201, answer.content

    assert AccessEvent.objects.count() == 6
    assert AccessEvent.objects.filter(test=True).count() == 3
    assert EnrolmentSession.objects.filter(close_entry__isnull=False).count() == 2
    assert AccountEvent.objects.count() == 1
    for model in (AccessEvent, AccountEvent, EnrolmentSession):
        assert not model.objects.exclude(ledger_seq=F("ledger_entry__seq")).exists()
    assert not EnrolmentSession.objects.exclude(close_seq=F("close_entry__seq")).exists()
    # Live and test logs number from 0 on their own; the two sessions both opened at 0.
    assert set(EnrolmentSession.objects.values_list("test", "ledger_seq")) == {
        (False, 0),
        (True, 0),
    }
