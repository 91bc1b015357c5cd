"""Vetting from the partner page: a button, a page asking why, the service, the outcome."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partners.kinds import RegistryKind
from partners.models import Partner, VettingDecision
from tests.partners.support import bureau_entries, entry_body, ledger_size

pytestmark = pytest.mark.django_db


def transition_url(partner, to_status: str) -> str:
    return reverse("admin:partners_partner_transition", args=[partner.pk, to_status])


def change_url(partner) -> str:
    return reverse("admin:partners_partner_change", args=[partner.pk])


def buttons(client, partner) -> list[str]:
    return [
        action["label"] for action in client.get(change_url(partner)).context["vetting_actions"]
    ]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_it_walks_a_partner_from_applied_to_approved(make_partner, as_staff, as_second_approver):
    partner = make_partner("applied")
    assert buttons(as_staff, partner) == ["Start review"]

    page = as_staff.get(transition_url(partner, "under_review"))
    assert page.status_code == 200
    assert "reason" in page.context["form"].fields

    response = as_staff.post(
        transition_url(partner, "under_review"), {"reason": "Application complete."}, follow=True
    )
    partner.refresh_from_db()
    assert partner.status == "under_review"
    assert any("now under review" in m for m in messages_of(response))

    assert buttons(as_second_approver, partner) == ["Approve", "Reject"]
    as_second_approver.post(transition_url(partner, "approved"), {"reason": "All checked."})
    partner.refresh_from_db()
    assert partner.status == "approved"

    decisions = list(VettingDecision.objects.filter(partner=partner).order_by("decided_at"))
    assert [(d.actor.username, d.to_status, d.reason) for d in decisions] == [
        ("staff", "under_review", "Application complete."),
        ("approver2", "approved", "All checked."),
    ]
    entries = bureau_entries(RegistryKind.PARTNER_VETTING)
    assert [entry_body(e)["to"] for e in entries] == ["under_review", "approved"]
    assert entry_body(entries[1])["actor"] == "approver2"


def test_it_insists_on_a_reason(make_partner, as_staff):
    partner = make_partner("applied")
    before = ledger_size()
    response = as_staff.post(transition_url(partner, "under_review"), {"reason": "   "})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    partner.refresh_from_db()
    assert partner.status == "applied" and ledger_size() == before


def test_it_shows_the_maker_checker_refusal_as_an_admin_error(make_partner, approver):
    from tests.admin_clients import admin_client_for

    partner = make_partner("applied")
    client = admin_client_for(approver)
    client.post(transition_url(partner, "under_review"), {"reason": "Starting."})

    page = client.get(transition_url(partner, "approved"))
    refusal = f"You cannot approve {partner.code}: you started its review."
    assert any(w.startswith(refusal) for w in page.context["warnings"])  # said up front

    before = ledger_size()
    response = client.post(
        transition_url(partner, "approved"), {"reason": "Looks fine to me."}, follow=True
    )
    errors = messages_of(response)
    assert any(refusal in m and "[maker_checker]" in m for m in errors)
    assert response.redirect_chain[-1][0] == change_url(partner)
    partner.refresh_from_db()
    assert partner.status == "under_review" and ledger_size() == before


def test_it_shows_missing_documents_as_an_admin_error(make_partner, as_staff, as_second_approver):
    partner = make_partner("applied", documents=False)
    as_staff.post(transition_url(partner, "under_review"), {"reason": "Starting."})
    response = as_second_approver.post(
        transition_url(partner, "approved"), {"reason": "Approve."}, follow=True
    )
    errors = messages_of(response)
    assert any("documents_incomplete" in m and "business_licence" in m for m in errors)
    assert Partner.objects.get(pk=partner.pk).status == "under_review"


def test_it_refuses_a_move_that_is_not_legal_from_the_current_status(make_partner, as_approver):
    partner = make_partner("applied")
    response = as_approver.post(
        transition_url(partner, "approved"), {"reason": "Skip."}, follow=True
    )
    assert any("illegal_transition" in m for m in messages_of(response))
    assert Partner.objects.get(pk=partner.pk).status == "applied"


@pytest.mark.parametrize("to_status", ["applied", "no-such-status"])
def test_it_answers_404_for_a_status_no_move_leads_to(make_partner, as_approver, to_status):
    partner = make_partner("under_review")
    response = as_approver.post(transition_url(partner, to_status), {"reason": "Why not."})
    assert response.status_code == 404
    assert Partner.objects.get(pk=partner.pk).status == "under_review"


def test_it_offers_suspend_then_reinstate_or_revoke(make_partner, as_approver):
    partner = make_partner("approved")
    assert buttons(as_approver, partner) == ["Suspend"]
    as_approver.post(transition_url(partner, "suspended"), {"reason": "Complaint received."})
    partner.refresh_from_db()
    assert partner.status == "suspended"
    assert buttons(as_approver, partner) == ["Reinstate", "Revoke"]
    as_approver.post(transition_url(partner, "revoked"), {"reason": "Complaint upheld."})
    partner.refresh_from_db()
    assert partner.status == "revoked"
    assert buttons(as_approver, partner) == []


def test_it_offers_no_bulk_approval(make_partner, as_approver):
    make_partner("under_review")
    page = as_approver.get(reverse("admin:partners_partner_changelist"))
    assert page.context["action_form"] is None
    assert 'name="action"' not in page.content.decode()  # no actions drop-down at all


def test_it_warns_whoever_suspended_a_partner_before_they_reinstate_it(
    make_partner, as_approver, as_second_approver
):
    partner = make_partner("approved")
    as_approver.post(transition_url(partner, "suspended"), {"reason": "Alert 17."})

    page = as_approver.get(transition_url(partner, "approved"))
    refusal = f"You cannot reinstate {partner.code}: you suspended it."
    refusal += " Another approver must reinstate it."
    assert refusal in page.context["warnings"]
    assert as_second_approver.get(transition_url(partner, "approved")).context["warnings"] == []


def test_it_records_who_registered_a_partner_and_warns_them_at_approval(
    as_approver, approver, as_staff
):
    from .test_change_pages import partner_form

    as_approver.post(reverse("admin:partners_partner_add"), partner_form())
    partner = Partner.objects.get(legal_name="Nanyang Kindly Helpers Co., Ltd.")
    assert partner.registered_by == approver
    as_staff.post(transition_url(partner, "under_review"), {"reason": "Starting."})

    warnings = as_approver.get(transition_url(partner, "approved")).context["warnings"]
    assert f"You cannot approve {partner.code}: you registered it." in " ".join(warnings)
