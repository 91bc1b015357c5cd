"""The demo partners, registered, documented, vetted and authorised through the services."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Q

from auditsvc.ledger import keys, publishing
from auditsvc.ledger.errors import NoSigningKey
from partners.choices import DataField, PartnerStatus, Purpose
from partners.models import ApiCredential, Authorisation, Letter, Partner
from partners.selectors import local_today
from partners.services.agents import agent_register
from partners.services.authorisations import authorisation_grant
from partners.services.credentials import (
    credential_revoke,
)
from partners.services.documents import document_add
from partners.services.letters import letter_issue
from partners.services.vetting import (
    partner_register,
    vetting_approve,
    vetting_start_review,
)

from .data import AGENT_CODES, DEMO_KEY_LABEL, DemoPartner, demo_id_number, demo_uscc


def ensure_signing_key() -> str:
    """The verifier string of the key that signs entries, generating a key if none is loaded."""
    try:
        key = keys.entry_signing_key()
    except NoSigningKey:
        publishing.key_generate(actor=None)
        key = keys.entry_signing_key()
    return key.verifier_string()


def demo_pdf(title: str) -> bytes:
    """A tiny PDF-looking document: enough to hash, store and download."""
    return (
        b"%PDF-1.4\n% auditsvc demo document\n1 0 obj << /Title ("
        + title.encode("ascii", "replace")
        + b") >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def ensure_documents(partner: Partner, *, actor, today: dt.date) -> None:
    """Hand in every required document that has no valid copy today."""
    valid = Q(issued_on__lte=today) & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    have = set(partner.documents.filter(valid).values_list("doc_type", flat=True))
    for doc_type in settings.AUDITSVC_REQUIRED_DOCUMENTS:
        if doc_type in have:
            continue
        document_add(
            partner,
            actor=actor,
            doc_type=doc_type,
            file=ContentFile(demo_pdf(f"{partner.code} {doc_type}"), name=f"{doc_type}.pdf"),
            issued_on=today - dt.timedelta(days=60),
            expires_on=today + dt.timedelta(days=365),
        )


def ensure_partner(spec: DemoPartner, *, staff, approver, today: dt.date) -> Partner:
    """Register (or find by credit code), document and approve a demo partner."""
    uscc = demo_uscc(spec.serial, spec.region)
    partner = Partner.objects.filter(uscc=uscc).first()
    if partner is None:
        slug = f"demo{spec.serial}"
        partner = partner_register(
            actor=staff,
            legal_name=spec.legal_name,
            uscc=uscc,
            kind=spec.kind,
            contact_name="Zhang Demo",
            contact_email=f"contact@{slug}.partner.example",
            dpo_name="Li Demo",
            dpo_email=f"dpo@{slug}.partner.example",
            address=spec.address,
        )
    ensure_documents(partner, actor=staff, today=today)
    if partner.status == PartnerStatus.APPLIED:
        vetting_start_review(
            partner, actor=staff, reason="Demo: application and documents received; review opened."
        )
    if partner.status == PartnerStatus.UNDER_REVIEW:
        vetting_approve(
            partner,
            actor=approver,
            reason="Demo: credit code, documents and data-protection officer checked; approved.",
        )
    return partner


def ensure_agents(partner: Partner, spec: DemoPartner, *, actor) -> list[str]:
    existing = set(partner.agents.values_list("code", flat=True))
    for number, code in enumerate(AGENT_CODES, start=1):
        if code in existing:
            continue
        agent_register(
            partner,
            actor=actor,
            code=code,
            name=f"Demo Agent {spec.serial}-{number}",
            phone=f"+86 138 0000 {spec.serial:02d}{number:02d}",
            id_number=demo_id_number(spec.region, 100 * spec.serial + number),
        )
    return list(partner.agents.order_by("code").values_list("code", flat=True))


def ensure_authorisation(
    partner: Partner, spec: DemoPartner, *, actor, today: dt.date
) -> list[str]:
    """A current letter for the partner's region, 08:00-20:00, with daily caps."""
    current = Authorisation.objects.filter(
        partner=partner, revoked_at__isnull=True, valid_from__lte=today, valid_until__gte=today
    )
    if not current.exists():
        letter = f"YBJ-DEMO-{partner.code}-{today:%Y%m%d}"
        if not Authorisation.objects.filter(letter_number=letter).exists():
            authorisation_grant(
                partner,
                actor=actor,
                letter_number=letter,
                regions=[spec.region],
                purposes=[Purpose.CARD_ACTIVATION, Purpose.CARD_REGISTRATION, Purpose.INFO_UPDATE],
                fields=[DataField.NAME, DataField.ID_NUMBER, DataField.PHONE, DataField.FACE_IMAGE],
                valid_from=today - dt.timedelta(days=30),
                valid_until=today + dt.timedelta(days=335),
                hours_start=dt.time(8, 0),
                hours_end=dt.time(20, 0),
                daily_cap_per_agent=200,
                daily_cap_per_partner=1000,
            )
    return list(current.order_by("letter_number").values_list("letter_number", flat=True))


def replace_demo_keys(partner: Partner, *, actor) -> None:
    """Revoke the keys earlier runs printed: a key copied from an old terminal must not
    keep working forever. Keys issued by hand in the admin are left alone."""
    for credential in ApiCredential.objects.filter(
        partner=partner, label__startswith=DEMO_KEY_LABEL, revoked_at__isnull=True
    ):
        credential_revoke(
            credential, actor=actor, reason="Replaced by a fresh demo key (seed_demo)."
        )


def ensure_letters(partner: Partner, *, actor) -> list[str]:
    """A letter for each current authorisation of the partner that has none; their numbers.

    Issued by ``actor`` (an approver) through ``letter_issue``, so each is a
    signed document and a bureau-log entry like a real one; a letter revoked
    by hand stays revoked, and a re-run issues a fresh one beside it.
    """
    today = local_today()
    current = Authorisation.objects.filter(
        partner=partner, revoked_at__isnull=True, valid_from__lte=today, valid_until__gte=today
    )
    for authorisation in current:
        if not authorisation.letters.filter(revoked_at__isnull=True).exists():
            letter_issue(authorisation, actor=actor)
    letters = Letter.objects.filter(authorisation__in=current, revoked_at__isnull=True).order_by(
        "issued_at", "number"
    )
    return list(letters.values_list("number", flat=True))
