"""Triage: staff assign, review and close as benign; approvers open investigations; all logged."""

from __future__ import annotations

import json

import pytest

from auditsvc.detection.errors import IllegalTriage, NoteRefused, TriageNotPermitted
from auditsvc.detection.services.triage import (
    alert_add_note,
    alert_assign,
    alert_close_benign,
    alert_close_investigation,
    alert_start_review,
    triage_moves_for,
)
from auditsvc.ledger.models import LedgerEntry
from tests.auditsvc.detection.support import alerts, detect, local, read


@pytest.fixture
def alert(partner, yesterday):
    read(partner, local(yesterday, 22), 1)
    detect("access_without_session")
    (found,) = alerts("access_without_session")
    return found


def bureau_entries(kind="alert.triaged"):
    return [
        json.loads(entry.canonical)["body"]
        for entry in LedgerEntry.objects.filter(log_id="bureau", kind=kind).order_by("seq")
    ]


def test_staff_take_an_alert_under_review_and_close_it_as_benign(alert, staff):
    alert_start_review(alert, actor=staff)
    alert_close_benign(alert, actor=staff, reason="A village event, announced beforehand.")
    alert.refresh_from_db()
    assert alert.status == "closed_benign"
    moves = [(body["from"], body["to"], body["actor"]) for body in bureau_entries()]
    assert moves == [("new", "under_review", "staff"), ("under_review", "closed_benign", "staff")]


def test_it_refuses_an_investigation_to_staff_who_are_not_approvers(alert, staff):
    with pytest.raises(TriageNotPermitted):
        alert_close_investigation(alert, actor=staff, reason="Looks like a ring.")
    assert triage_moves_for(alert, staff) == ["under_review", "closed_benign"]


def test_an_approver_closes_with_an_investigation_opened(alert, approver):
    alert_close_investigation(alert, actor=approver, reason="Referred to the prosecutor.")
    alert.refresh_from_db()
    assert alert.status == "closed_investigation"
    (body,) = bureau_entries()
    assert body["reason"] == "Referred to the prosecutor."
    assert body["actor_id"] == approver.pk


def test_a_closed_alert_stays_closed(alert, staff, approver):
    alert_close_benign(alert, actor=staff, reason="Known event.")
    with pytest.raises(IllegalTriage):
        alert_close_investigation(alert, actor=approver, reason="Second thoughts.")
    with pytest.raises(IllegalTriage):
        alert_assign(alert, staff, actor=staff)


def test_closing_needs_a_reason(alert, staff):
    with pytest.raises(NoteRefused):
        alert_close_benign(alert, actor=staff, reason="  ")


def test_assigning_is_logged_and_needs_someone_who_can_triage(alert, staff, second_staff, auditor):
    alert_assign(alert, second_staff, actor=staff)
    alert.refresh_from_db()
    assert alert.assignee == second_staff
    (body,) = bureau_entries()
    assert (body["change"], body["assignee"], body["actor"]) == ("assignee", "staff2", "staff")
    with pytest.raises(TriageNotPermitted):
        alert_assign(alert, auditor, actor=staff)
    with pytest.raises(TriageNotPermitted):
        alert_assign(alert, staff, actor=auditor)


def test_notes_are_kept_and_logged_but_never_with_an_identity_number(alert, staff):
    note = alert_add_note(alert, "Called the partner's DPO.", actor=staff)
    assert note.author == staff
    assert [body["note"] for body in bureau_entries()] == ["Called the partner's DPO."]
    with pytest.raises(NoteRefused):
        alert_add_note(alert, "Resident 11010519491231002X complained", actor=staff)
    assert alert.notes.count() == 1


def test_auditors_cannot_triage(alert, auditor):
    with pytest.raises(TriageNotPermitted):
        alert_start_review(alert, actor=auditor)
    with pytest.raises(TriageNotPermitted):
        alert_add_note(alert, "Seen.", actor=auditor)
    assert bureau_entries() == []
