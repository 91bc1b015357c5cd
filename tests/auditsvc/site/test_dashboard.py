"""The admin index: the review queue, what expires soon, partners by status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from partners.choices import PartnerStatus
from partners.selectors import local_today
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(db, vetted_partner):
    """Two partners waiting (one for three days), one letter and one document running out."""
    waiting = factories.PartnerFactory(legal_name="Queue Ltd", status=PartnerStatus.UNDER_REVIEW)
    factories.PartnerFactory(legal_name="Fresh Ltd", status=PartnerStatus.APPLIED)
    type(waiting).objects.filter(pk=waiting.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(days=3, hours=2)
    )
    today = local_today()
    letter = factories.AuthorisationFactory(
        partner=vetted_partner, letter_number="YBJ-SOON-1", valid_until=today + dt.timedelta(days=9)
    )
    document = vetted_partner.documents.get(doc_type="security_assessment")
    type(document).objects.filter(pk=document.pk).update(expires_on=today + dt.timedelta(days=12))
    factories.PartnerFactory(status=PartnerStatus.SUSPENDED)
    return {"waiting": waiting, "letter": letter, "document": document}


def test_it_lists_partners_waiting_for_review_with_their_age(as_staff, scene):
    dashboard = as_staff.get("/admin/").context["dashboard"]
    rows = {row["partner"].legal_name: row for row in dashboard["waiting"]}
    assert set(rows) == {"Queue Ltd", "Fresh Ltd"}
    assert rows["Queue Ltd"]["age_days"] == 3
    assert dashboard["waiting_count"] == 2
    content = as_staff.get("/admin/").content.decode()
    assert "Waiting for review (2)" in content and "3 days" in content


def test_it_lists_approvals_expiring_within_30_days(as_staff, scene):
    dashboard = as_staff.get("/admin/").context["dashboard"]
    assert [row["authorisation"].letter_number for row in dashboard["authorisations"]] == [
        "YBJ-SOON-1"
    ]
    assert dashboard["authorisations"][0]["days_left"] == 9
    assert [row["document"].pk for row in dashboard["documents"]] == [scene["document"].pk]
    assert "Approvals expiring within 30 days" in as_staff.get("/admin/").content.decode()


def test_it_counts_partners_by_status_with_links_to_the_filtered_lists(as_staff, scene):
    dashboard = as_staff.get("/admin/").context["dashboard"]
    counts = {row["status"]: row["count"] for row in dashboard["by_status"]}
    assert counts == {
        "applied": 1,
        "under_review": 1,
        "approved": 1,
        "rejected": 0,
        "suspended": 1,
        "revoked": 0,
    }
    suspended = next(row for row in dashboard["by_status"] if row["status"] == "suspended")
    listed = as_staff.get(suspended["url"]).context["cl"].result_list
    assert [p.status for p in listed] == ["suspended"]


def test_its_links_open_the_matching_filtered_lists(as_staff, scene):
    dashboard = as_staff.get("/admin/").context["dashboard"]
    waiting = as_staff.get(dashboard["waiting_url"]).context["cl"].result_list
    assert {p.legal_name for p in waiting} == {"Queue Ltd", "Fresh Ltd"}
    letters = as_staff.get(dashboard["authorisations_url"]).context["cl"].result_list
    assert [a.letter_number for a in letters] == ["YBJ-SOON-1"]
    documents = as_staff.get(dashboard["documents_url"]).context["cl"].result_list
    assert [d.pk for d in documents] == [scene["document"].pk]


def test_the_auditor_sees_the_dashboard_too(as_auditor, scene):
    assert as_auditor.get("/admin/").context["dashboard"]["waiting_count"] == 2
