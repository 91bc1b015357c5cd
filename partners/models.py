"""The partner registry: who a partner is, what it proved, who vetted it, what it may do."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from auditsvc.core.documents import LETTER

from .choices import AgentStatus, DocumentType, PartnerKind, PartnerStatus
from .validators import validate_region_list, validate_uscc

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


class Authorisation(models.Model):
    """What a partner may do, where and when, under one authorisation letter."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="authorisations")
    # The bureau's own reference for the decision (its file number), typed by staff.
    # Residents check the number of a Letter issued from it, which the service draws.
    letter_number = models.CharField(
        _("bureau reference"),
        max_length=64,
        unique=True,
        help_text=_(
            "The bureau's own file number of this authorisation. Residents check the "
            "number printed on a letter issued from it, which the service generates."
        ),
    )
    regions = models.JSONField(
        validators=[validate_region_list],
        help_text=_("Division codes or their 2- and 4-digit prefixes."),
    )
    purposes = models.JSONField(help_text=_("Purposes from the fixed list."))
    fields = models.JSONField(help_text=_("Data fields the partner may read."))
    valid_from = models.DateField()
    valid_until = models.DateField(help_text=_("Inclusive, Asia/Shanghai."))
    hours_start = models.TimeField(default=dt.time(8, 0), help_text=_("Asia/Shanghai."))
    hours_end = models.TimeField(default=dt.time(18, 0), help_text=_("Asia/Shanghai, exclusive."))
    daily_cap_per_agent = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Identity accesses per agent per day; empty for no cap."),
    )
    daily_cap_per_partner = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Identity accesses per partner per day; empty for no cap."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    revoke_reason = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["partner", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="authorisation_dates_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(hours_end__gt=models.F("hours_start")),
                name="authorisation_hours_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter_number} ({self.valid_from} – {self.valid_until})"  # noqa: RUF001

    def is_current_on(self, day: dt.date) -> bool:
        return self.revoked_at is None and self.valid_from <= day <= self.valid_until


class Agent(models.Model):
    """A partner's field staff member. Phone and identity number are kept as pseudonyms only."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="agents")
    code = models.CharField(
        max_length=32,
        validators=[
            RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", _("Letters, digits, . _ - only."))
        ],
    )
    name = models.CharField(max_length=100)
    phone_ref = models.CharField(max_length=64, editable=False)
    identity_ref = models.CharField(max_length=64, editable=False, db_index=True)
    status = models.CharField(
        max_length=16, choices=AgentStatus.choices, default=AgentStatus.ACTIVE
    )
    registered_on = models.DateField(default=local_day)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partner", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "code"], name="agent_code_unique_per_partner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner.code}/{self.code} {self.name}"


class AgentStatusChange(models.Model):
    """One change of an agent's status: who, when, from, to, why. Never changed.

    Ingestion reads these to judge an agent's status at the moment of an
    access, since partners may upload late. An agent is registered active;
    before its first change its status is that change's ``from_status``.
    """

    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=AgentStatus.choices)
    to_status = models.CharField(max_length=16, choices=AgentStatus.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    ledger_seq = models.BigIntegerField(
        null=True, help_text=_("Seq of the bureau-log entry that records this change.")
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["agent", "changed_at"], name="agent_status_change_at")]

    def __str__(self) -> str:
        return f"{self.agent}: {self.get_from_status_display()} → {self.get_to_status_display()}"


class ApiCredential(models.Model):
    """An API key of a partner's software. Only its SHA-256 is stored; the key is shown once."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="credentials")
    label = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=20, editable=False, help_text=_("Start of the key, to recognise it.")
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_test = models.BooleanField(
        _("test key"),
        default=False,
        editable=False,
        help_text=_("A test key's records go to the partner's test log, never into evidence."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    revoke_reason = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["partner", "-created_at"]
        # What staff call it everywhere they read it; "credential" stays in the code.
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.label})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class StaffToken(models.Model):
    """A personal API token of a staff member or auditor. Only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    label = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["user", "-created_at"]
        verbose_name = _("personal API token")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class Letter(models.Model):
    """A printed authorisation letter, issued from an authorisation, that anyone can check.

    Its ``number`` (80 random bits, partners.letters) is what residents and
    village doctors type or scan on the public check page; the page judges
    its status live (partners.letters.letter_status), so suspending or revoking
    the partner, revoking the authorisation or reaching its end invalidates
    the letter at once. ``document`` is the signed JSON's document exactly as
    signed at issue (with ``key_id`` and ``signature``); it is never changed.
    """

    number = models.CharField(max_length=19, unique=True, editable=False)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="letters", editable=False
    )
    # Chosen on the issuing form, fixed afterwards (letters are never edited).
    authorisation = models.ForeignKey(
        Authorisation, on_delete=models.PROTECT, related_name="letters"
    )
    document = models.JSONField(editable=False, help_text=_("The signed document, as signed."))
    key_id = models.CharField(max_length=8, editable=False)
    signature = models.CharField(max_length=100, editable=False, help_text=_("Base64 Ed25519."))
    issued_at = models.DateTimeField(default=timezone.now, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    ledger_seq = models.BigIntegerField(
        null=True,
        editable=False,
        help_text=_("Seq of the bureau-log entry that records the issue."),
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    revoke_reason = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-issued_at", "-id"]
        # Letters are issued and revoked through their own permissions, never edited or deleted.
        default_permissions = ("view",)
        permissions = [
            ("issue_letter", "Can issue authorisation letters"),
            ("revoke_letter", "Can revoke authorisation letters"),
        ]

    def __str__(self) -> str:
        return self.number

    def signed_document(self) -> dict:
        """The signed JSON object (DESIGN.md "Signed documents"), as offered for download."""
        return {
            "type": LETTER,
            "document": self.document,
            "key_id": self.key_id,
            "signature": self.signature,
        }
