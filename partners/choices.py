"""Enumerations of the partner registry. Their values are stable identifiers."""

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerKind(models.TextChoices):
    ENROLMENT_PARTNER = "enrolment_partner", _("Enrolment partner")
    ACCOUNT_PLATFORM = "account_platform", _("Account platform")


class PartnerStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


# The vetting workflow: from -> allowed destinations.
TRANSITIONS: dict[str, frozenset[str]] = {
    PartnerStatus.APPLIED: frozenset({PartnerStatus.UNDER_REVIEW}),
    PartnerStatus.UNDER_REVIEW: frozenset({PartnerStatus.APPROVED, PartnerStatus.REJECTED}),
    PartnerStatus.APPROVED: frozenset({PartnerStatus.SUSPENDED}),
    PartnerStatus.SUSPENDED: frozenset({PartnerStatus.APPROVED, PartnerStatus.REVOKED}),
    PartnerStatus.REJECTED: frozenset(),
    PartnerStatus.REVOKED: frozenset(),
}


class DocumentType(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    ENTRUSTMENT_AGREEMENT = "entrustment_agreement", _("Entrustment agreement")
    CONFIDENTIALITY_UNDERTAKING = "confidentiality_undertaking", _("Confidentiality undertaking")
    SECURITY_ASSESSMENT = "security_assessment", _("Security assessment")
    STAFF_LIST = "staff_list", _("Staff list")
    OTHER = "other", _("Other")


class Purpose(models.TextChoices):
    CARD_ACTIVATION = "card_activation", _("Card activation")
    CARD_REGISTRATION = "card_registration", _("Card registration")
    INFO_UPDATE = "info_update", _("Information update")
    BENEFIT_ENQUIRY = "benefit_enquiry", _("Benefit enquiry")


class DataField(models.TextChoices):
    NAME = "name", _("Name")
    ID_NUMBER = "id_number", _("Identity number")
    ID_PHOTO = "id_photo", _("Identity card photo")
    FACE_IMAGE = "face_image", _("Face image")
    PHONE = "phone", _("Phone")
    ADDRESS = "address", _("Address")
    BANK_ACCOUNT = "bank_account", _("Bank account")
    MEDICAL_RECORD = "medical_record", _("Medical record")


class AgentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    LEFT = "left", _("Left the partner")


class Violation(models.TextChoices):
    """Why a record breaks the partner's authorisation (DESIGN.md, stable codes)."""

    PARTNER_NOT_APPROVED = "partner_not_approved", _("Partner not approved")
    AUTHORISATION_EXPIRED = "authorisation_expired", _("No current authorisation")
    REGION_NOT_AUTHORISED = "region_not_authorised", _("Region not authorised")
    PURPOSE_NOT_AUTHORISED = "purpose_not_authorised", _("Purpose not authorised")
    FIELD_NOT_PERMITTED = "field_not_permitted", _("Field not permitted")
    OUTSIDE_HOURS = "outside_hours", _("Outside authorised hours")
    AGENT_UNKNOWN = "agent_unknown", _("Agent not registered")
    AGENT_SUSPENDED = "agent_suspended", _("Agent suspended")
    NO_OPEN_SESSION = "no_open_session", _("No open enrolment session")
    DAILY_CAP_EXCEEDED = "daily_cap_exceeded", _("Daily cap exceeded")


# Violations are reported in the order of the enumeration, so the same record
# always yields the same list (clients and dashboards compare them).
_VIOLATION_ORDER = {code.value: position for position, code in enumerate(Violation)}


def violations_in_order(codes: Iterable[str]) -> list[str]:
    """Violation codes without repeats, in the order of the enumeration."""
    return sorted(set(codes), key=_VIOLATION_ORDER.__getitem__)


class LetterStatus(models.TextChoices):
    """What the public check page says of a letter number (DESIGN.md "Signed documents").

    Listed in the order of precedence: the first that applies is the answer
    (partners.letters.letter_status).
    """

    UNKNOWN = "unknown", _("Unknown number")
    REVOKED = "revoked", _("Revoked")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")
    NOT_YET_VALID = "not_yet_valid", _("Not yet valid")
    VALID = "valid", _("Valid")
