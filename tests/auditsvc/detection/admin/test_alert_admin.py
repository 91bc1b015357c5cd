"""The alert queue, the alert page and its triage buttons, the risk summary, the dashboard panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from auditsvc.detection.models import Alert
from tests.auditsvc.detection.rules.test_volume_spike import history, spike
from tests.auditsvc.detection.support import alerts, detect, local, read, read_many

QUEUE = "/admin/detection/alert/"


@pytest.fixture
def scene(partner, second_partner, yesterday, today):
    """High alerts (evening reads without sessions), low ones (the volume history had no
    sessions either), and a volume spike."""
    read_many(partner, local(yesterday, 22), range(1, 31))
    read(second_partner, local(yesterday, 10), 1)
    history(second_partner, today, lambda i: 2, agent="A-0002")
    spike(second_partner, today, 45, agent="A-0002")
    detect()
    return alerts()


def find(found, rule, subject=None, period=None, partner=None):
    (alert,) = [
        alert
        for alert in found
        if alert.rule == rule
        and subject in (None, alert.subject_ref)
        and partner in (None, alert.partner)
        and period in (None, alert.numbers.get("period"))
    ]
    return alert


def page_url(alert: Alert) -> str:
    return reverse("admin:detection_alert_change", args=[alert.pk])


def test_the_queue_lists_alerts_in_words_and_filters_them(as_staff, scene):
    response = as_staff.get(QUEUE)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Access without a session" in text
    assert "Volume spike" in text
    # The spike's reads had no sessions either: two agents, each high.
    high = as_staff.get(QUEUE, {"severity__exact": "high", "rule__exact": "access_without_session"})
    assert high.context["cl"].result_count == 2
    low = as_staff.get(QUEUE, {"severity__exact": "low"})
    assert low.context["cl"].result_count == len([a for a in scene if a.severity == "low"]) > 0
    mine = as_staff.get(QUEUE, {"assignee": "none"})
    assert mine.context["cl"].result_count == len(scene)


def test_the_alert_page_shows_the_evidence_the_chart_and_the_records(as_auditor, scene, partner):
    alert = find(scene, "access_without_session", "A-0001", partner=partner)
    response = as_auditor.get(page_url(alert))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Agent A-0001 read 30 residents" in text
    assert 'id="alert-triage"' not in text  # auditors read; they do not triage
    (group,) = response.context["records"]
    assert group["log"] == partner.code and group["count"] == 30
    entries = as_auditor.get(group["url"])
    assert entries.status_code == 200
    assert entries.context["cl"].result_count == 30
    accesses = as_auditor.get(response.context["accesses_url"])
    assert accesses.status_code == 200
    assert accesses.context["cl"].result_count == 30


def test_a_volume_alert_draws_its_series_against_the_band(as_staff, scene):
    alert = find(scene, "volume_spike", "A-0002", "hour")
    response = as_staff.get(page_url(alert))
    text = response.content.decode()
    assert '<svg class="band-chart"' in text
    assert "<script" not in text.split('id="alert-page"')[1]
    assert len(response.context["chart"].bars) == 15  # 14 days and this hour


def test_staff_take_an_alert_under_review_and_close_it_as_benign(as_staff, scene, partner):
    alert = find(scene, "access_without_session", "A-0001", partner=partner)
    response = as_staff.get(page_url(alert))
    labels = [move["label"] for move in response.context["moves"]]
    assert [str(label) for label in labels] == ["Take under review", "Close as benign"]
    as_staff.post(reverse("admin:detection_alert_triage", args=[alert.pk, "review"]))
    alert.refresh_from_db()
    assert alert.status == "under_review"
    url = reverse("admin:detection_alert_triage", args=[alert.pk, "close-benign"])
    assert as_staff.get(url).status_code == 200  # the page asking why
    as_staff.post(url, {"reason": "A registration day announced by the village committee."})
    alert.refresh_from_db()
    assert alert.status == "closed_benign"


def test_only_approvers_close_with_an_investigation(as_staff, as_approver, scene, partner):
    alert = find(scene, "access_without_session", "A-0001", partner=partner)
    url = reverse("admin:detection_alert_triage", args=[alert.pk, "investigate"])
    as_staff.post(url, {"reason": "Looks like harvesting."})
    alert.refresh_from_db()
    assert alert.status == "new"
    as_approver.post(url, {"reason": "Looks like harvesting."})
    alert.refresh_from_db()
    assert alert.status == "closed_investigation"


def test_notes_and_assignment_from_the_alert_page(as_staff, staff, second_staff, scene, partner):
    alert = find(scene, "access_without_session", "A-0001", partner=partner)
    as_staff.post(
        reverse("admin:detection_alert_note", args=[alert.pk]), {"text": "Called the DPO."}
    )
    as_staff.post(
        reverse("admin:detection_alert_assign", args=[alert.pk]), {"assignee": second_staff.pk}
    )
    alert.refresh_from_db()
    assert alert.assignee == second_staff
    text = as_staff.get(page_url(alert)).content.decode()
    assert "Called the DPO." in text
    assert "bureau#" in text


def test_bulk_assignment_asks_whom_then_assigns(as_staff, second_staff, scene):
    ids = [str(alert.pk) for alert in scene]
    data = {"action": "assign_selected", "_selected_action": ids}
    page = as_staff.post(QUEUE, data)
    assert page.status_code == 200
    assert "Assign these" in page.content.decode()
    as_staff.post(QUEUE, {**data, "assignee": second_staff.pk, "_assign": "Assign"})
    assert set(Alert.objects.values_list("assignee_id", flat=True)) == {second_staff.pk}


def test_the_risk_summary_counts_open_alerts_per_partner_and_agent(
    as_staff, scene, partner, second_partner
):
    response = as_staff.get(reverse("admin:detection_alert_risk"))
    assert response.status_code == 200
    partners = response.context["partners"]
    # The second partner has more high alerts (the spike's): it comes first.
    assert [row["partner__code"] for row in partners] == [second_partner.code, partner.code]
    assert {row["subject_ref"] for row in response.context["agents"]} == {"A-0001", "A-0002"}
    in_queue = as_staff.get(partners[1]["url"]).context["cl"].result_count
    assert in_queue == partners[1]["open"] == 1


def test_the_dashboard_shows_open_alerts_highest_first(as_staff, scene):
    response = as_staff.get("/admin/")
    panel = response.context["alerts_panel"]
    assert panel["total"] == len(scene)
    assert panel["rows"][0]["alert"].severity == "high"
    assert 'id="dashboard-alerts"' in response.content.decode()


def test_nothing_is_added_or_deleted_here(as_superuser, scene):
    alert = scene[0]
    assert as_superuser.get(QUEUE + "add/").status_code == 403
    assert as_superuser.get(page_url(alert).replace("change/", "delete/")).status_code == 403
    assert dt  # the module's imports stay used
