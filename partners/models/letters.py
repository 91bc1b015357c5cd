"""Printed authorisation letters that anyone can check."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from auditsvc.core.documents import LETTER

from .registry import Partner
from .scope import Authorisation


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
