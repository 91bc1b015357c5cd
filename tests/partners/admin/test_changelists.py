"""Every list page of the admin opens, and none makes a query per row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import VettingDecision
from tests import factories

from .conftest import registered_partner
from .populate import populate_everything, registered_models

pytestmark = pytest.mark.django_db


def changelist_url(label: str) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_changelist")


@pytest.mark.parametrize("label", registered_models())
def test_it_renders_every_changelist_for_a_superuser(
    label, as_superuser, registry, account_platform, superuser
):
    populate_everything(registry, account_platform, superuser)
    response = as_superuser.get(changelist_url(label))
    assert response.status_code == 200, label


def test_it_registers_every_model_of_the_partner_registry():
    assert set(registered_models(["partners"])) == {
        "partners.agent",
        "partners.apicredential",
        "partners.authorisation",
        "partners.letter",
        "partners.partner",
        "partners.qualificationdocument",
        "partners.stafftoken",
        "partners.vettingdecision",
    }


def test_it_shows_document_counts_and_next_expiry_on_the_partner_list(as_staff, staff):
    partner = registered_partner(staff, serial=7)
    document = partner.documents.get(doc_type="staff_list")
    soon = dt.date.today() + dt.timedelta(days=5)
    # Written directly: the list reads dates, how they got there does not matter here.
    type(document).objects.filter(pk=document.pk).update(expires_on=soon)
    partner.documents.filter(doc_type="security_assessment").update(
        expires_on=dt.date.today() - dt.timedelta(days=1)
    )
    response = as_staff.get(reverse("admin:partners_partner_changelist"))
    content = response.content.decode()
    assert f"4/5 valid, 1 expiring {soon.isoformat()}" in content
    assert f"{soon.isoformat()} (document)" in content


def test_it_filters_partners_with_document_problems(as_staff, staff):
    complete = registered_partner(staff, serial=8)
    incomplete = factories.PartnerFactory(legal_name="No Documents Ltd")
    url = reverse("admin:partners_partner_changelist")
    listed = as_staff.get(url, {"documents": "incomplete"}).context["cl"].result_list
    assert incomplete in listed
    assert complete not in listed
    listed = as_staff.get(url, {"documents": "complete"}).context["cl"].result_list
    assert list(listed) == [complete]


def test_it_filters_sub_contractors_and_searches_by_credit_code(as_staff, staff):
    parent = registered_partner(staff, serial=9)
    child = factories.PartnerFactory(parent=parent)
    url = reverse("admin:partners_partner_changelist")
    assert list(as_staff.get(url, {"has_parent": "yes"}).context["cl"].result_list) == [child]
    assert list(as_staff.get(url, {"q": parent.uscc}).context["cl"].result_list) == [parent]


# --- Query counts ------------------------------------------------------------------------


def make_partners(n: int) -> None:
    parent = factories.PartnerFactory()
    for _ in range(n):
        partner = factories.PartnerFactory(parent=parent)
        factories.DocumentFactory(partner=partner, doc_type="business_licence")
        factories.DocumentFactory(partner=partner, doc_type="staff_list")
        factories.AuthorisationFactory(partner=partner)


def make_documents(n: int) -> None:
    user = factories.UserFactory()
    for _ in range(n):
        factories.DocumentFactory(uploaded_by=user)


def make_decisions(n: int) -> None:
    user = factories.UserFactory()
    for _ in range(n):
        VettingDecision.objects.create(
            partner=factories.PartnerFactory(),
            actor=user,
            from_status="applied",
            to_status="under_review",
            reason="queued",
        )


def make_authorisations(n: int) -> None:
    for _ in range(n):
        factories.AuthorisationFactory()


def make_agents(n: int) -> None:
    for _ in range(n):
        factories.AgentFactory()


def make_credentials(n: int) -> None:
    user = factories.UserFactory()
    for _ in range(n):
        key = factories.issue_partner_key(factories.PartnerFactory())
        assert key
    from partners.models import ApiCredential

    ApiCredential.objects.update(created_by=user)


def make_tokens(n: int) -> None:
    for _ in range(n):
        factories.issue_test_token(factories.UserFactory())


def make_letters(n: int) -> None:
    """Letters of n partners (each a query's worth of status if the list were naive)."""
    from partners.services.letters import letter_issue
    from tests.conftest import build_vetted_partner

    approver = factories.UserFactory(username="letter-maker", is_superuser=True)
    for _ in range(n):
        partner = build_vetted_partner()
        letter_issue(partner.authorisations.get(), actor=approver)


MAKERS = {
    "partners.partner": make_partners,
    "partners.qualificationdocument": make_documents,
    "partners.vettingdecision": make_decisions,
    "partners.authorisation": make_authorisations,
    "partners.agent": make_agents,
    "partners.apicredential": make_credentials,
    "partners.stafftoken": make_tokens,
    "partners.letter": make_letters,
}


def count_queries(client, url: str) -> int:
    """Queries of one GET, after a first GET has filled the caches (content types)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("label", sorted(MAKERS))
def test_it_makes_no_query_per_row(label, as_superuser):
    url = changelist_url(label)
    MAKERS[label](5)
    with_5 = count_queries(as_superuser, url)
    MAKERS[label](20)
    with_25 = count_queries(as_superuser, url)
    assert with_25 == with_5, f"{label}: {with_5} queries for 5 rows, {with_25} for 25"


def test_it_covers_every_registry_model_in_the_query_count_test():
    assert set(MAKERS) == set(registered_models(["partners"]))


def make_partner_file(partner, n: int) -> None:
    user = factories.UserFactory()
    for _ in range(n):
        factories.DocumentFactory(partner=partner, uploaded_by=user)
        factories.AuthorisationFactory(partner=partner)
        factories.AgentFactory(partner=partner)
        factories.issue_partner_key(partner)
        VettingDecision.objects.create(
            partner=partner, actor=user, from_status="applied", to_status="under_review", reason="r"
        )


def test_it_makes_no_query_per_row_on_the_partner_page(as_superuser):
    partner = factories.PartnerFactory()
    url = reverse("admin:partners_partner_change", args=[partner.pk])
    make_partner_file(partner, 2)
    with_2 = count_queries(as_superuser, url)
    make_partner_file(partner, 8)
    assert count_queries(as_superuser, url) == with_2
