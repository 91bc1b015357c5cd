"""Fixtures of the registry's admin tests: a full registry made by the services.

Signed-in clients (``as_staff`` and friends) are in tests/conftest.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile

from partners.choices import PartnerStatus
from partners.services.agents import agent_register
from partners.services.authorisations import authorisation_grant
from partners.services.credentials import credential_issue, staff_token_issue
from partners.services.documents import document_add
from partners.services.letters import letter_issue
from partners.services.vetting import partner_register, vetting_start_review
from tests import factories


def document_file(name: str = "licence.pdf") -> ContentFile:
    return ContentFile(b"%PDF-1.4 admin test document\n%%EOF\n", name=name)


def registered_partner(staff, *, serial: int, **kwargs):
    """A partner registered through the service, with every required document handed in."""
    from django.conf import settings

    partner = partner_register(
        actor=staff,
        legal_name=kwargs.pop("legal_name", f"Admin Test Partner {serial}"),
        uscc=factories.make_uscc(seed=10_000 + serial),
        kind=kwargs.pop("kind", "enrolment_partner"),
        contact_name="Chen Jing",
        contact_email=f"contact{serial}@admin-test.example",
        dpo_name="Zhao Min",
        dpo_email=f"dpo{serial}@admin-test.example",
        address="5 Park Road, Nanyang",
        **kwargs,
    )
    today = dt.date.today()
    for doc_type in settings.AUDITSVC_REQUIRED_DOCUMENTS:
        document_add(
            partner,
            actor=staff,
            doc_type=doc_type,
            file=document_file(f"{doc_type}.pdf"),
            issued_on=today - dt.timedelta(days=10),
            expires_on=today + dt.timedelta(days=400),
        )
    return partner


@pytest.fixture
def registry(staff, approver, vetted_partner, pending_partner, superuser):
    """At least one row of every model of the partner registry, made by the services."""
    partner = registered_partner(staff, serial=1)
    decision = vetting_start_review(partner, actor=staff, reason="Documents received.")
    authorisation = authorisation_grant(
        vetted_partner,
        actor=staff,
        letter_number="YBJ-ADMIN-0001",
        regions=["411381"],
        purposes=["card_activation"],
        fields=["name", "id_number"],
        valid_from=dt.date.today() - dt.timedelta(days=1),
        valid_until=dt.date.today() + dt.timedelta(days=20),
        hours_start=dt.time(8),
        hours_end=dt.time(20),
    )
    agent = agent_register(
        vetted_partner,
        actor=staff,
        code="A-0100",
        name="Sun Li",
        phone="13800000100",
        id_number=factories.make_resident_id(sequence=100),
    )
    letter = letter_issue(authorisation, actor=approver)
    credential, _ = credential_issue(vetted_partner, actor=staff, label="field app")
    token, _ = staff_token_issue(staff, label="laptop", actor=superuser)
    return {
        "partner": partner,
        "under_review": partner,
        "vetted": vetted_partner,
        "pending": pending_partner,
        "decision": decision,
        "document": partner.documents.first(),
        "authorisation": authorisation,
        "agent": agent,
        "letter": letter,
        "credential": credential,
        "token": token,
        "status": PartnerStatus.UNDER_REVIEW,
    }
