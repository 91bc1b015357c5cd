"""Enumerations of the partner registry. Their values are stable identifiers."""

from collections.abc import Iterable

from django.db import models


class PartnerKind(models.TextChoices):
    ENROLMENT_PARTNER = "enrolment_partner", "Enrolment partner"
    ACCOUNT_PLATFORM = "account_platform", "Account platform"


class PartnerStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    UNDER_REVIEW = "under_review", "Under review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"


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
    BUSINESS_LICENCE = "business_licence", "Business licence"
    ENTRUSTMENT_AGREEMENT = "entrustment_agreement", "Entrustment agreement"
    CONFIDENTIALITY_UNDERTAKING = "confidentiality_undertaking", "Confidentiality undertaking"
    SECURITY_ASSESSMENT = "security_assessment", "Security assessment"
    STAFF_LIST = "staff_list", "Staff list"
    OTHER = "other", "Other"


class Purpose(models.TextChoices):
    CARD_ACTIVATION = "card_activation", "Card activation"
    CARD_REGISTRATION = "card_registration", "Card registration"
    INFO_UPDATE = "info_update", "Information update"
    BENEFIT_ENQUIRY = "benefit_enquiry", "Benefit enquiry"


class DataField(models.TextChoices):
    NAME = "name", "Name"
    ID_NUMBER = "id_number", "Identity number"
    ID_PHOTO = "id_photo", "Identity card photo"
    FACE_IMAGE = "face_image", "Face image"
    PHONE = "phone", "Phone"
    ADDRESS = "address", "Address"
    BANK_ACCOUNT = "bank_account", "Bank account"
    MEDICAL_RECORD = "medical_record", "Medical record"


class AgentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    LEFT = "left", "Left the partner"


class Violation(models.TextChoices):
    """Why a record breaks the partner's authorisation (DESIGN.md, stable codes)."""

    PARTNER_NOT_APPROVED = "partner_not_approved", "Partner not approved"
    AUTHORISATION_EXPIRED = "authorisation_expired", "No current authorisation"
    REGION_NOT_AUTHORISED = "region_not_authorised", "Region not authorised"
    PURPOSE_NOT_AUTHORISED = "purpose_not_authorised", "Purpose not authorised"
    FIELD_NOT_PERMITTED = "field_not_permitted", "Field not permitted"
    OUTSIDE_HOURS = "outside_hours", "Outside authorised hours"
    AGENT_UNKNOWN = "agent_unknown", "Agent not registered"
    AGENT_SUSPENDED = "agent_suspended", "Agent suspended"
    NO_OPEN_SESSION = "no_open_session", "No open enrolment session"
    DAILY_CAP_EXCEEDED = "daily_cap_exceeded", "Daily cap exceeded"


# Violations are reported in the order of the enumeration, so the same record
# always yields the same list (clients and dashboards compare them).
_VIOLATION_ORDER = {code.value: position for position, code in enumerate(Violation)}


def violations_in_order(codes: Iterable[str]) -> list[str]:
    """Violation codes without repeats, in the order of the enumeration."""
    return sorted(set(codes), key=_VIOLATION_ORDER.__getitem__)
