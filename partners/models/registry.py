"""Who a partner is, what it proved and who vetted it: partners, documents, vetting decisions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import DocumentType, PartnerKind, PartnerStatus
from ..validators import validate_uscc

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def local_day() -> dt.date:
    """Today in Asia/Shanghai, the bureau's day (through ``timezone.now()``)."""
    return timezone.now().astimezone(SHANGHAI).date()


class PartnerQuerySet(models.QuerySet):
    def next_code(self) -> str:
        """The next free partner code (P0001, P0002, ...). Call under a lock or retry."""
        codes = self.filter(code__regex=r"^P[0-9]+$").values_list("code", flat=True)
        highest = max((int(code[1:]) for code in codes), default=0)
        return f"P{highest + 1:04d}"


class Partner(models.Model):
    """A company the bureau lets help residents (or an account platform that reports to us)."""

    code = models.CharField(
        max_length=16,
        unique=True,
        editable=False,
        help_text=_("Short code used by the API and as the partner's log id (P0001)."),
    )
    legal_name = models.CharField(max_length=200)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc]
    )
    kind = models.CharField(max_length=32, choices=PartnerKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subcontractors",
        help_text=_("Set for a sub-contractor; it still needs its own approval."),
    )
    contact_name = models.CharField(max_length=100)
    contact_email = models.EmailField()
    dpo_name = models.CharField(_("data-protection officer"), max_length=100)
    dpo_email = models.EmailField(_("data-protection officer e-mail"))
    address = models.TextField()
    status = models.CharField(
        max_length=32, choices=PartnerStatus.choices, default=PartnerStatus.APPLIED, editable=False
    )
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Maker-checker: whoever registered a partner may not approve it (partners.services.vetting).
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        permissions = [
            ("review_partner", "Can move partners through vetting"),
            ("approve_partner", "Can approve partners (second pair of eyes)"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.legal_name}"

    @property
    def log_id(self) -> str:
        """The partner's log: what its live keys report (its code, e.g. P0001)."""
        return self.code

    @property
    def test_log_id(self) -> str:
        """The partner's test log (e.g. P0001T): what its test keys report.

        Test records are validated and answered exactly like live ones but are
        kept apart: they never count in daily caps, detection or exports
        unless asked for.
        """
        return f"{self.code}T"

    def log_id_for(self, *, test: bool) -> str:
        return self.test_log_id if test else self.log_id

    @property
    def is_approved(self) -> bool:
        return self.status == PartnerStatus.APPROVED


def document_upload_to(instance: QualificationDocument, filename: str) -> str:
    return f"partners/{instance.partner.code}/documents/{filename}"


class QualificationDocument(models.Model):
    """A document the partner handed in to prove who it is; its SHA-256 pins the file."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="documents")
    doc_type = models.CharField(_("type"), max_length=40, choices=DocumentType.choices)
    file = models.FileField(upload_to=document_upload_to)
    sha256 = models.CharField(max_length=64, editable=False)
    issued_on = models.DateField()
    expires_on = models.DateField(
        null=True, blank=True, help_text=_("Leave empty if it never expires.")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partner", "doc_type", "-issued_on"]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} ({self.issued_on})"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.issued_on <= day and (self.expires_on is None or day <= self.expires_on)


class VettingDecision(models.Model):
    """One move of a partner through vetting: who, when, from, to, why. Never changed."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="decisions")
    # Null for the system (the auto-suspend policy of detection acting on a critical alert).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=32, choices=PartnerStatus.choices)
    to_status = models.CharField(max_length=32, choices=PartnerStatus.choices)
    reason = models.TextField()
    decided_at = models.DateTimeField(default=timezone.now)
    ledger_seq = models.BigIntegerField(
        null=True, help_text=_("Seq of the bureau-log entry that records this decision.")
    )

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return (
            f"{self.partner.code}: {self.get_from_status_display()} → "
            f"{self.get_to_status_display()}"
        )
