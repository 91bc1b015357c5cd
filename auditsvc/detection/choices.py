"""The stable codes of alerts: rules, severities, triage statuses, subject kinds (DESIGN.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleCode(models.TextChoices):
    VOLUME_SPIKE = "volume_spike", _("Volume spike")
    DAILY_CAP_EXCEEDED = "daily_cap_exceeded", _("Daily cap exceeded")
    OUT_OF_SCOPE_ACCESS = "out_of_scope_access", _("Access outside the authorisation")
    ACCESS_WITHOUT_SESSION = "access_without_session", _("Access without a session")
    SESSION_MANY_RESIDENTS = "session_many_residents", _("Session touching many residents")
    SESSION_TOO_SHORT = "session_too_short", _("Sessions far shorter than usual")
    ACCOUNT_OPENED_NEAR_SESSION = (
        "account_opened_near_session",
        _("Account opened near an enrolment session"),
    )
    MULTIPLE_ACCOUNTS_PER_RESIDENT = (
        "multiple_accounts_per_resident",
        _("Several accounts for one resident"),
    )
    SHARED_DEVICE_ACCOUNTS = "shared_device_accounts", _("One device, many new accounts")
    SHARED_PHONE_ACCOUNTS = "shared_phone_accounts", _("One phone, many new accounts")
    ELDERLY_CONCENTRATION = "elderly_concentration", _("Residents far older than usual")
    SUSPENDED_PARTNER_ACTIVITY = (
        "suspended_partner_activity",
        _("Activity of a partner that is not approved"),
    )


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


#: Severities from lowest to highest: an alert's severity only ever rises.
SEVERITY_ORDER = [Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]


def severity_rank(severity: str) -> int:
    return SEVERITY_ORDER.index(Severity(severity))


def higher_severity(first: str, second: str) -> str:
    return first if severity_rank(first) >= severity_rank(second) else second


class Status(models.TextChoices):
    NEW = "new", _("New")
    UNDER_REVIEW = "under_review", _("Under review")
    CLOSED_BENIGN = "closed_benign", _("Closed as benign")
    CLOSED_INVESTIGATION = "closed_investigation", _("Closed, investigation opened")


OPEN_STATUSES = (Status.NEW, Status.UNDER_REVIEW)


class SubjectKind(models.TextChoices):
    PARTNER = "partner", _("Partner")
    AGENT = "agent", _("Agent")
    DEVICE = "device", _("Device")
    PHONE = "phone", _("Phone")
    SESSION = "session", _("Session")
