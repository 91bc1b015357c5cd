"""Each role can do in the admin what it should, and nothing more."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partners.models import Partner
from tests.partners.support import ledger_size

from .populate import APPS_UNDER_TEST, registered_models

pytestmark = pytest.mark.django_db


def url(label: str, view: str, *args) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


@pytest.mark.parametrize("label", registered_models(APPS_UNDER_TEST))
def test_the_auditor_can_view_every_list_of_both_apps(label, as_auditor, registry):
    assert as_auditor.get(url(label, "changelist")).status_code == 200


@pytest.mark.parametrize("label", registered_models(["partners"]))
def test_the_auditor_cannot_add_or_change_anything(label, as_auditor, registry):
    from .populate import model_admin_for

    model, _ = model_admin_for(label)
    obj = model._default_manager.order_by("pk").first()
    before = ledger_size()
    assert as_auditor.get(url(label, "add")).status_code == 403
    assert as_auditor.post(url(label, "add"), {"label": "x"}).status_code == 403
    assert as_auditor.get(url(label, "change", obj.pk)).status_code == 200  # view only
    assert as_auditor.post(url(label, "change", obj.pk), {}).status_code == 403
    assert ledger_size() == before


def test_the_auditor_sees_no_buttons_and_cannot_force_a_decision(as_auditor, registry):
    partner = registry["under_review"]
    page = as_auditor.get(url("partners.partner", "change", partner.pk))
    assert page.context["vetting_actions"] == [] and page.context["shortcuts"] == []
    assert 'name="_save"' not in page.content.decode()
    for status in ("approved", "rejected"):
        transition = reverse("admin:partners_partner_transition", args=[partner.pk, status])
        assert as_auditor.post(transition, {"reason": "Forged."}).status_code == 403
    for name, obj in (
        ("admin:partners_authorisation_revoke", registry["authorisation"]),
        ("admin:partners_apicredential_revoke", registry["credential"]),
        ("admin:partners_agent_status", registry["agent"]),
    ):
        assert as_auditor.post(reverse(name, args=[obj.pk]), {"reason": "x"}).status_code == 403
    assert Partner.objects.get(pk=partner.pk).status == "under_review"


def test_bureau_staff_cannot_approve(as_staff, make_partner, second_staff):
    from partners.services.vetting import vetting_start_review

    partner = make_partner("applied")
    vetting_start_review(partner, actor=second_staff, reason="Someone else started it.")
    page = as_staff.get(url("partners.partner", "change", partner.pk))
    assert [a["label"] for a in page.context["vetting_actions"]] == ["Reject"]
    transition = reverse("admin:partners_partner_transition", args=[partner.pk, "approved"])
    assert as_staff.get(transition).status_code == 403
    assert as_staff.post(transition, {"reason": "Forged approval."}).status_code == 403
    assert Partner.objects.get(pk=partner.pk).status == "under_review"


def test_bureau_staff_can_do_their_daily_work(as_staff, registry):
    for label in (
        "partners.partner",
        "partners.authorisation",
        "partners.agent",
        "partners.apicredential",
    ):
        assert as_staff.get(url(label, "add")).status_code == 200, label
    assert as_staff.get(url("partners.vettingdecision", "changelist")).status_code == 200
    # Personal tokens are for superusers to hand out (or manage.py issue_token).
    assert as_staff.get(url("partners.stafftoken", "changelist")).status_code == 403


def test_nobody_may_add_or_change_decisions_and_documents(as_superuser, registry):
    for label, obj in (
        ("partners.vettingdecision", registry["decision"]),
        ("partners.qualificationdocument", registry["document"]),
    ):
        assert as_superuser.get(url(label, "add")).status_code == 403
        assert as_superuser.post(url(label, "change", obj.pk), {}).status_code == 403
