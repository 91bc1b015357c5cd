"""The registry's pages read as words and lead back where the work continues (issue 8, 11 and 13).

Missing documents were shown as ``business_licence (missing)``, an issued key as
"Api credential issued", and granting an authorisation or registering an agent
ended on a list instead of the partner's page.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from partners.models import VettingDecision
from partners.services.vetting import vetting_start_review
from tests import factories

pytestmark = pytest.mark.django_db


def text(response) -> str:
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def partner_page(partner) -> str:
    return reverse("admin:partners_partner_change", args=[partner.pk])


def test_missing_documents_are_named_in_words(as_approver, staff, pending_partner):
    vetting_start_review(pending_partner, actor=staff, reason="Application received.")

    page = text(as_approver.get(partner_page(pending_partner)))
    approve = text(
        as_approver.get(
            reverse("admin:partners_partner_transition", args=[pending_partner.pk, "approved"])
        )
    )

    for words in (page, approve):
        assert "Business licence: missing" in words
        assert "Confidentiality undertaking: missing" in words
        assert "business_licence" not in words


def test_an_expired_document_is_named_with_its_date(as_staff, pending_partner):
    factories.DocumentFactory(
        partner=pending_partner,
        doc_type="staff_list",
        issued_on=dt.date(2020, 1, 1),
        expires_on=dt.date(2021, 1, 1),
    )

    words = text(as_staff.get(partner_page(pending_partner)))

    assert "Staff list: expired on 2021-01-01" in words


def test_vetting_decisions_read_as_statuses_not_codes(as_staff, staff, pending_partner):
    decision = vetting_start_review(pending_partner, actor=staff, reason="Received.")

    assert str(decision) == f"{pending_partner.code}: Applied → Under review"
    page = as_staff.get(partner_page(pending_partner))
    assert "under_review" not in text(page)
    assert VettingDecision.objects.filter(partner=pending_partner).count() == 1
    # Each decision links to its bureau-log entry.
    entry = reverse("admin:ledger_ledgerentry_at", args=["bureau", decision.ledger_seq])
    assert f'href="{entry}"' in page.content.decode()
    assert as_staff.get(entry, follow=True).context["original"].seq == decision.ledger_seq


def test_an_issued_api_key_is_called_an_api_key(as_staff, vetted_partner):
    response = as_staff.post(
        reverse("admin:partners_apicredential_add"),
        {"partner": vetted_partner.pk, "label": "field app v3"},
    )
    issued = as_staff.get(response["Location"])
    index = as_staff.get(reverse("admin:index"))
    listed = as_staff.get(reverse("admin:partners_apicredential_changelist"))
    partner = as_staff.get(partner_page(vetted_partner))

    assert "API key issued" in text(issued)
    assert "API keys" in text(index)
    assert "Select API key" in text(listed)
    assert "API keys" in text(partner)
    for page in (issued, index, listed, partner):
        assert "credential" not in text(page).lower()


def test_granting_an_authorisation_goes_back_to_the_partner(as_staff, vetted_partner):
    response = as_staff.post(
        reverse("admin:partners_authorisation_add"),
        {
            "partner": vetted_partner.pk,
            "letter_number": "YBJ-2026-BACK-1",
            "regions": "411381",
            "purposes": ["card_activation"],
            "fields": ["name"],
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
            "hours_start": "08:00",
            "hours_end": "20:00",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == partner_page(vetted_partner)
    assert "YBJ-2026-BACK-1" in text(response)  # the message, and the partner's list


def test_save_and_add_another_still_adds_another(as_staff, vetted_partner):
    response = as_staff.post(
        reverse("admin:partners_authorisation_add"),
        {
            "partner": vetted_partner.pk,
            "letter_number": "YBJ-2026-BACK-2",
            "regions": "411381",
            "purposes": ["card_activation"],
            "fields": ["name"],
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
            "hours_start": "08:00",
            "hours_end": "20:00",
            "_addanother": "1",
        },
    )

    assert response["Location"] == reverse("admin:partners_authorisation_add")


def test_registering_an_agent_goes_back_to_the_partner(as_staff, vetted_partner):
    response = as_staff.post(
        reverse("admin:partners_agent_add"),
        {
            "partner": vetted_partner.pk,
            "code": "A-0777",
            "name": "Gao Yan",
            "phone": "13912340777",
            "id_number": factories.make_resident_id("411302", dt.date(1988, 6, 1), 777),
            "registered_on": "2026-03-01",
        },
    )

    assert response["Location"] == partner_page(vetted_partner)


def test_badges_are_styled_by_the_stylesheet_not_inline(as_staff, vetted_partner):
    content = as_staff.get(reverse("admin:partners_partner_changelist")).content.decode()

    assert '<span class="badge badge-green">Approved</span>' in content
    assert "background:#" not in content
