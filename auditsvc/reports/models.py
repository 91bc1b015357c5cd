"""The record of each access report produced: who, when, about which pseudonym, how many rows.

Never the identity number (it is typed, used to compute the pseudonym, and
forgotten) and never the report itself: the resident takes the signed
document away, and its SHA-256 here and in the bureau log proves later
which document the bureau handed over.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessReport(models.Model):
    """One resident's access report, as produced (the bureau-log entry says the same)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    produced_at = models.DateTimeField(_("produced at"), default=timezone.now, editable=False)
    produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("produced by"),
    )
    identity_ref = models.CharField(
        _("resident pseudonym"), max_length=64, db_index=True, editable=False
    )
    sessions = models.PositiveIntegerField(_("sessions"), editable=False)
    accesses = models.PositiveIntegerField(_("identity accesses"), editable=False)
    account_events = models.PositiveIntegerField(_("account events"), editable=False)
    document_sha256 = models.CharField(
        _("document SHA-256"),
        max_length=64,
        editable=False,
        help_text=_("SHA-256 of the RFC 8785 bytes of the signed report's document."),
    )
    key_id = models.CharField(_("key id"), max_length=8, editable=False)
    ledger_seq = models.BigIntegerField(
        _("bureau-log seq"), editable=False, help_text=_("Seq of the bureau-log entry.")
    )

    class Meta:
        ordering = ["-produced_at"]
        verbose_name = _("resident access report")
        verbose_name_plural = _("resident access reports")
        # Producing a report is "add"; nothing is ever changed or deleted.
        default_permissions = ("add", "view")

    def __str__(self) -> str:
        return f"{self.produced_at:%Y-%m-%d %H:%M} {self.identity_ref[:12]}…"
