"""Watermarks by arrival order: nothing skipped after an outage, nothing doubled, late records."""

from __future__ import annotations

import datetime as dt

from auditsvc.detection.models import Alert, Watermark

from .support import account, alerts, detect, local, open_session, read, read_many


def test_nothing_is_skipped_after_an_outage(partner, today, settings):
    # Detection did not run for three days while records kept arriving; it
    # then works the backlog off in steps of two entries.
    settings.DETECTION_CHUNK_ENTRIES = 2
    for days_ago in (3, 2, 1):
        read_many(partner, local(today - dt.timedelta(days=days_ago), 21), [1, 2, 3])
    summary = detect("access_without_session")
    assert summary.entries_examined == 9
    assert len(alerts("access_without_session")) == 3
    mark = Watermark.objects.get(rule="access_without_session", log_id=partner.code)
    assert mark.seq == 8


def test_a_rerun_creates_no_second_alert(partner, yesterday):
    read_many(partner, local(yesterday, 21), range(1, 25))
    detect()
    first = {(a.rule, a.subject_ref, a.window_start): a.numbers for a in Alert.objects.all()}
    # As if the worker died after writing alerts but before the watermark committed.
    Watermark.objects.update(seq=-1)
    summary = detect()
    assert summary.alerts_created == 0
    assert summary.alerts_updated == len(first) > 0
    again = {(a.rule, a.subject_ref, a.window_start): a.numbers for a in Alert.objects.all()}
    assert again == first


def test_a_late_upload_is_examined_and_updates_its_alert(partner, today):
    three_days_ago = today - dt.timedelta(days=3)
    read(partner, local(three_days_ago, 21), 1)
    detect("access_without_session")
    (alert,) = alerts("access_without_session")
    created = alert.updated_at
    read_many(partner, local(today, 9), [7])  # ordinary traffic moves the watermark on
    detect("access_without_session")
    read_many(partner, local(three_days_ago, 22), range(2, 8))  # uploaded days late
    detect("access_without_session")
    alert.refresh_from_db()
    assert alert.numbers["residents"] == 7
    assert alert.updated_at > created
    assert alert.severity == "medium"
    assert len(alerts("access_without_session")) == 2  # three days ago, and today


def test_a_session_uploaded_after_the_account_still_joins(partner, platform, yesterday):
    # The platform reports first; detection runs and finds nothing to join.
    for n in (1, 2):
        account(platform, local(yesterday, 10, 30 + n), n)
    detect("account_opened_near_session")
    assert alerts("account_opened_near_session") == []
    # The partner's software uploads its sessions of that morning afterwards.
    for n in (1, 2):
        open_session(partner, local(yesterday, 10, n), n, minutes=20)
    detect("account_opened_near_session")
    (alert,) = alerts("account_opened_near_session")
    assert alert.partner_id == partner.pk
    assert alert.numbers["count"] == 2


def test_an_account_uploaded_after_the_session_joins_from_the_platforms_log(
    partner, platform, yesterday
):
    for n in (1, 2):
        open_session(partner, local(yesterday, 10, n), n, minutes=20)
    detect("account_opened_near_session")
    for n in (1, 2):
        account(platform, local(yesterday, 10, 30 + n), n)
    detect("account_opened_near_session")
    assert len(alerts("account_opened_near_session")) == 1


def test_test_records_are_left_out(partner, yesterday):
    from auditsvc.ingestion.services import access_events_record
    from tests import factories

    from .support import AccessEventIn, resident

    key = factories.issue_partner_key(partner, test=True)
    credential = partner.credentials.get(is_test=True)
    assert key
    events = [
        AccessEventIn(
            client_event_id=f"t-{n}",
            session_id=None,
            agent_code="A-0001",
            identity=resident(n),
            fields=["name"],
            purpose="card_activation",
            occurred_at=local(yesterday, 21),
            device_ref="d" * 64,
        )
        for n in range(30)
    ]
    access_events_record(partner, events, credential=credential)
    detect()
    assert alerts() == []
