"""Every change page opens; the add forms and record actions go through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from auditsvc.ledger.models import LedgerEntry
from partners.auth import hash_key
from partners.kinds import RegistryKind
from partners.models import (
    Agent,
    ApiCredential,
    Authorisation,
    Partner,
    QualificationDocument,
    StaffToken,
)
from tests import factories
from tests.partners.support import bureau_entries, entry_body

from .populate import APPS_UNDER_TEST, model_admin_for, populate_everything, registered_models

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("label", registered_models(APPS_UNDER_TEST))
def test_it_renders_every_change_page_of_every_app(
    label, as_superuser, registry, account_platform, superuser
):
    populate_everything(registry, account_platform, superuser)
    model, _ = model_admin_for(label)
    obj = model._default_manager.order_by("pk").first()
    # A gap in the test data must not become a silent skip: populate_everything() makes a row.
    assert obj is not None, f"{label}: nothing in populate_everything() creates a row of it"
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    response = as_superuser.get(url)
    assert response.status_code == 200, label


@pytest.mark.parametrize(
    "label",
    [
        "partners.partner",
        "partners.authorisation",
        "partners.agent",
        "partners.apicredential",
        "partners.stafftoken",
    ],
)
def test_it_renders_the_add_pages(label, as_superuser):
    app_label, model_name = label.split(".")
    response = as_superuser.get(reverse(f"admin:{app_label}_{model_name}_add"))
    assert response.status_code == 200


@pytest.mark.parametrize("label", registered_models(["partners"]))
def test_it_offers_no_delete_for_registry_records(label, as_superuser, registry):
    model, _ = model_admin_for(label)
    obj = model._default_manager.order_by("pk").first()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_delete", args=[obj.pk])
    assert as_superuser.post(url, {"post": "yes"}).status_code == 403
    assert model._default_manager.filter(pk=obj.pk).exists()
    changelist = as_superuser.get(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    )
    assert "action-toggle" not in changelist.content.decode()  # no bulk actions at all


# --- Partners -------------------------------------------------------------------------------


def partner_form(**overrides) -> dict:
    data = {
        "legal_name": "Nanyang Kindly Helpers Co., Ltd.",
        "uscc": factories.make_uscc(seed=4242),
        "kind": "enrolment_partner",
        "parent": "",
        "contact_name": "He Ping",
        "contact_email": "he.ping@kindly.example",
        "dpo_name": "Ma Lin",
        "dpo_email": "dpo@kindly.example",
        "address": "9 Wolong Road, Nanyang",
    }
    data.update(overrides)
    return data


def test_it_registers_a_partner_through_the_service(as_staff, staff):
    response = as_staff.post(reverse("admin:partners_partner_add"), partner_form())
    partner = Partner.objects.get(legal_name="Nanyang Kindly Helpers Co., Ltd.")
    assert response.status_code == 302
    assert partner.code.startswith("P") and partner.status == "applied"
    [entry] = bureau_entries(RegistryKind.PARTNER_REGISTERED)
    assert entry_body(entry)["partner"] == partner.code
    assert entry_body(entry)["actor"] == "staff"


def test_it_refuses_a_bad_credit_code_with_a_form_error(as_staff):
    response = as_staff.post(
        reverse("admin:partners_partner_add"), partner_form(uscc="91411381MA0000000X")
    )
    assert response.status_code == 200
    assert "uscc" in response.context["adminform"].form.errors
    assert not Partner.objects.exists()
    assert not bureau_entries()


def change_form_data(response) -> dict:
    """The POST body of a rendered change form, management forms included."""
    data = {}
    for formset in response.context["inline_admin_formsets"]:
        for key, value in formset.formset.management_form.initial.items():
            data[f"{formset.formset.prefix}-{key}"] = value
    return data


def test_it_hands_in_a_document_through_the_service_and_serves_it_privately(
    as_staff, as_auditor, pending_partner
):
    url = reverse("admin:partners_partner_change", args=[pending_partner.pk])
    page = as_staff.get(url)
    data = change_form_data(page)
    [prefix] = [
        f.formset.prefix
        for f in page.context["inline_admin_formsets"]
        if f.formset.prefix.endswith("-2")
    ]
    content = b"%PDF-1.4 confidentiality undertaking\n"
    data.update(
        {
            f"{prefix}-0-doc_type": "confidentiality_undertaking",
            f"{prefix}-0-file": SimpleUploadedFile("undertaking.pdf", content),
            f"{prefix}-0-issued_on": "2026-01-05",
            f"{prefix}-0-expires_on": "2030-01-04",
        }
    )
    response = as_staff.post(url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    document = QualificationDocument.objects.get(partner=pending_partner)
    import hashlib

    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.uploaded_by.username == "staff"
    [entry] = bureau_entries(RegistryKind.PARTNER_DOCUMENT_ADDED)
    assert entry_body(entry)["sha256"] == document.sha256

    page = as_staff.get(url).content.decode()
    download = reverse("admin:partners_qualificationdocument_download", args=[document.pk])
    assert download in page and document.sha256 in page
    assert document.file.url not in page  # no public media URL anywhere
    response = as_auditor.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert "no-store" in response["Cache-Control"]


def test_it_refuses_a_document_download_to_someone_without_view_permission(registry):
    from tests.admin_clients import admin_client_for

    outsider = factories.UserFactory(username="outsider")
    client = admin_client_for(outsider)
    url = reverse("admin:partners_qualificationdocument_download", args=[registry["document"].pk])
    assert client.get(url).status_code == 403


def test_it_shows_the_decision_history_newest_first(as_staff, registry, approver):
    from partners.services.vetting import vetting_reject

    partner = registry["under_review"]
    vetting_reject(partner, actor=approver, reason="Shell company, no staff.")
    page = as_staff.get(reverse("admin:partners_partner_change", args=[partner.pk]))
    content = page.content.decode()
    assert content.index("Shell company, no staff.") < content.index("Documents received.")


# --- Authorisations ------------------------------------------------------------------------


def test_it_grants_an_authorisation_with_checkboxes_and_comma_separated_regions(
    as_staff, vetted_partner
):
    response = as_staff.post(
        reverse("admin:partners_authorisation_add"),
        {
            "partner": vetted_partner.pk,
            "letter_number": "YBJ-2026-ADM-1",
            "regions": "411381, 411302,4113",
            "purposes": ["card_activation", "info_update"],
            "fields": ["name", "phone"],
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
            "hours_start": "08:00",
            "hours_end": "20:00",
            "daily_cap_per_agent": "50",
            "daily_cap_per_partner": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    authorisation = Authorisation.objects.get(letter_number="YBJ-2026-ADM-1")
    assert authorisation.regions == ["411381", "411302", "4113"]
    assert authorisation.purposes == ["card_activation", "info_update"]
    assert authorisation.fields == ["name", "phone"]
    assert authorisation.daily_cap_per_agent == 50 and authorisation.daily_cap_per_partner is None
    assert authorisation.created_by.username == "staff"
    [entry] = bureau_entries(RegistryKind.AUTHORISATION_GRANTED)
    assert entry_body(entry)["letter_number"] == "YBJ-2026-ADM-1"


def test_it_refuses_an_authorisation_that_ends_before_it_starts(as_staff, vetted_partner):
    response = as_staff.post(
        reverse("admin:partners_authorisation_add"),
        {
            "partner": vetted_partner.pk,
            "letter_number": "YBJ-2026-ADM-2",
            "regions": "411381",
            "purposes": ["card_activation"],
            "fields": ["name"],
            "valid_from": "2026-05-01",
            "valid_until": "2026-04-01",
            "hours_start": "08:00",
            "hours_end": "20:00",
        },
    )
    assert response.status_code == 200
    assert "valid_until" in response.context["adminform"].form.errors
    assert not Authorisation.objects.filter(letter_number="YBJ-2026-ADM-2").exists()


def test_it_revokes_an_authorisation_with_a_reason(as_staff, registry):
    authorisation = registry["authorisation"]
    page = as_staff.get(reverse("admin:partners_authorisation_change", args=[authorisation.pk]))
    revoke = reverse("admin:partners_authorisation_revoke", args=[authorisation.pk])
    assert revoke in page.content.decode()
    assert 'name="_save"' not in page.content.decode()  # granted letters are never edited

    assert as_staff.post(revoke, {"reason": ""}).status_code == 200
    assert Authorisation.objects.get(pk=authorisation.pk).revoked_at is None

    response = as_staff.post(revoke, {"reason": "Partner moved out of the county."}, follow=True)
    authorisation.refresh_from_db()
    assert authorisation.revoked_at is not None and authorisation.revoked_by.username == "staff"
    assert "revoked" in response.content.decode()
    [entry] = bureau_entries(RegistryKind.AUTHORISATION_REVOKED)
    assert entry_body(entry)["reason"] == "Partner moved out of the county."


# --- Agents ---------------------------------------------------------------------------------


def test_it_registers_an_agent_without_keeping_the_phone_or_identity_number(
    as_staff, vetted_partner
):
    id_number = factories.make_resident_id("411302", dt.date(1988, 6, 1), 417)
    phone = "13912340417"
    response = as_staff.post(
        reverse("admin:partners_agent_add"),
        {
            "partner": vetted_partner.pk,
            "code": "A-0417",
            "name": "Gao Yan",
            "phone": phone,
            "id_number": id_number,
            "registered_on": "2026-03-01",
        },
    )
    assert response.status_code == 302
    agent = Agent.objects.get(code="A-0417")
    assert len(agent.identity_ref) == 64 and len(agent.phone_ref) == 64
    # Nowhere in the database: not in a row, the ledger or the admin history.
    with connection.cursor() as cursor:
        for table in ("partners_agent", "ledger_ledgerentry", "django_admin_log"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            dump = repr(cursor.fetchall())
            assert id_number not in dump and phone not in dump, table
    assert LogEntry.objects.filter(object_id=str(agent.pk)).exists()


def test_it_refuses_an_invalid_identity_number_without_echoing_it(as_staff, vetted_partner):
    bad = "41130219880601417" + "0"
    response = as_staff.post(
        reverse("admin:partners_agent_add"),
        {
            "partner": vetted_partner.pk,
            "code": "A-0418",
            "name": "Gao Yan",
            "phone": "13912340418",
            "id_number": bad,
            "registered_on": "2026-03-01",
        },
    )
    errors = response.context["adminform"].form.errors
    assert "id_number" in errors and bad not in str(errors)
    assert not Agent.objects.filter(code="A-0418").exists()


def test_it_changes_an_agent_status_with_a_reason(as_staff, registry):
    agent = registry["agent"]
    url = reverse("admin:partners_agent_status", args=[agent.pk])
    assert as_staff.get(url).status_code == 200
    as_staff.post(url, {"status": "suspended", "reason": "Complaint from a village doctor."})
    agent.refresh_from_db()
    assert agent.status == "suspended"
    [entry] = bureau_entries(RegistryKind.AGENT_STATUS_CHANGED)
    assert entry_body(entry)["reason"] == "Complaint from a village doctor."


# --- Credentials ------------------------------------------------------------------------------


def test_it_shows_a_new_api_key_once(as_staff, vetted_partner):
    response = as_staff.post(
        reverse("admin:partners_apicredential_add"),
        {"partner": vetted_partner.pk, "label": "field app v3"},
    )
    # POST-redirect-GET: the answer to the POST is a redirect, never the key.
    assert response.status_code == 302
    shown = as_staff.get(response["Location"])
    assert shown.status_code == 200
    key = shown.context["secret"]
    assert key.startswith("ask_") and key in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    credential = ApiCredential.objects.get(label="field app v3")
    assert credential.key_hash == hash_key(key) and credential.created_by.username == "staff"

    # Never again: not on its page, not in the list, not in the admin history.
    for url in (
        reverse("admin:partners_apicredential_change", args=[credential.pk]),
        reverse("admin:partners_apicredential_changelist"),
        reverse("admin:partners_partner_change", args=[vetted_partner.pk]),
    ):
        assert key not in as_staff.get(url).content.decode()
    assert not LogEntry.objects.filter(change_message__contains=key).exists()
    [entry] = bureau_entries(RegistryKind.CREDENTIAL_ISSUED)
    assert key not in entry.canonical


def test_it_revokes_an_api_key_with_a_reason(as_staff, registry):
    credential = registry["credential"]
    url = reverse("admin:partners_apicredential_revoke", args=[credential.pk])
    as_staff.post(url, {"reason": "Laptop stolen."})
    credential.refresh_from_db()
    assert credential.revoked_at is not None and credential.revoke_reason == "Laptop stolen."
    # A second revocation is refused by the service and said so.
    response = as_staff.post(url, {"reason": "Again."}, follow=True)
    assert "credential_revoked" in response.content.decode()


def test_it_issues_and_revokes_a_personal_token(as_superuser, auditor):
    response = as_superuser.post(
        reverse("admin:partners_stafftoken_add"), {"user": auditor.pk, "label": "court laptop"}
    )
    token_value = as_superuser.get(response["Location"]).context["secret"]
    token = StaffToken.objects.get(label="court laptop")
    assert token.user == auditor and token.key_hash == hash_key(token_value)
    as_superuser.post(
        reverse("admin:partners_stafftoken_revoke", args=[token.pk]), {"_confirm": "1"}
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_it_lets_only_superusers_issue_tokens_for_someone_else(staff, auditor):
    from django.contrib.auth.models import Permission

    from tests.admin_clients import admin_client_for

    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_stafftoken", "view_stafftoken"])
    )
    client = admin_client_for(staff)
    response = client.post(
        reverse("admin:partners_stafftoken_add"), {"user": auditor.pk, "label": "sneaky"}
    )
    assert response.status_code == 200 and "user" in response.context["form"].errors
    assert not StaffToken.objects.filter(label="sneaky").exists()
    assert LedgerEntry.objects.filter(kind="credential.issued").count() == 0
