"""An auditor's request for an export bundle, and what became of it.

What the request fixes (log, range, previous size, tree size, ``created_at``
and the manifest's key) never changes afterwards, so writing the bundle again
(a retried task) gives the same bytes. The file itself is kept for
``AUDITSVC_EXPORT_RETENTION_DAYS`` and then removed; the row stays, as the
record of who asked for what.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being written")
    DONE = "done", _("Ready to download")
    FAILED = "failed", _("Failed")


class Export(models.Model):
    """One bundle asked for: one log over the ``recorded_at`` range ``[range_from, range_to)``."""

    # Random, so that one export's address says nothing about another's.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    log_id = models.CharField(_("log"), max_length=32)
    range_from = models.DateTimeField(_("from"))
    range_to = models.DateTimeField(_("until (not included)"))
    previous_size = models.BigIntegerField(
        _("size of the auditor's previous checkpoint"), null=True, blank=True
    )
    tree_size = models.BigIntegerField(_("entries in the log when asked"))
    created_at = models.DateTimeField(_("asked at"))
    key_id = models.CharField(_("signing key"), max_length=8)
    entry_count = models.BigIntegerField(_("entries in the range"), default=0)

    status = models.CharField(
        _("status"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.TextField(_("why it failed"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    file_name = models.CharField(_("file"), max_length=200, blank=True)
    size = models.BigIntegerField(_("file size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    expires_at = models.DateTimeField(_("file kept until"), null=True, blank=True)
    file_removed_at = models.DateTimeField(_("file removed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("log export")
        verbose_name_plural = _("log exports")
        indexes = [
            models.Index(fields=["status", "expires_at"], name="export_expiry"),
        ]

    def __str__(self) -> str:
        period = _("%(start)s to %(end)s") % {
            "start": f"{self.range_from:%Y-%m-%d %H:%M}",
            "end": f"{self.range_to:%Y-%m-%d %H:%M}",
        }
        return f"{self.log_id} {period}"

    @property
    def downloadable(self) -> bool:
        return self.status == ExportStatus.DONE and self.file_removed_at is None
