"""Fixtures of the admin tests: clients signed in with a verified second factor, a full registry.

``admin_client_for(user)`` signs a user in the way django-otp supports for
tests: ``force_login`` and then ``django_otp.login`` semantics, i.e. the
session holds the persistent id of one of the user's confirmed devices (the
OTP middleware re-checks that the device belongs to the user on every
request). The real login form is exercised in test_two_factor.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from partners.choices import PartnerStatus
from partners.services.agents import agent_register
from partners.services.authorisations import authorisation_grant
from partners.services.credentials import credential_issue, staff_token_issue
from partners.services.vetting import document_add, partner_register, vetting_start_review
from tests import factories

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PASSWORD = "correct horse battery staple"


def verify_second_factor(client: Client, user) -> StaticDevice:
    """Mark the client's session as verified by a (confirmed) device of ``user``."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="test device", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def admin_client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    verify_second_factor(client, user)
    return client


@pytest.fixture
def superuser(db):
    return factories.UserFactory(username="root", is_superuser=True)


@pytest.fixture
def as_superuser(superuser) -> Client:
    return admin_client_for(superuser)


@pytest.fixture
def as_staff(staff) -> Client:
    return admin_client_for(staff)


@pytest.fixture
def as_approver(approver) -> Client:
    return admin_client_for(approver)


@pytest.fixture
def as_second_approver(second_approver) -> Client:
    return admin_client_for(second_approver)


@pytest.fixture
def as_auditor(auditor) -> Client:
    return admin_client_for(auditor)


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
def registry(staff, vetted_partner, pending_partner, superuser):
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
        "credential": credential,
        "token": token,
        "status": PartnerStatus.UNDER_REVIEW,
    }
