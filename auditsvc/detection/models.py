"""Alerts, their triage notes, and the watermarks that say how far each rule has read.

An alert is keyed by rule, partner, subject and window: a rerun or a late
record finds the same row and updates it (the unique constraint makes a
second one impossible, even for two workers at once). Watermarks follow
arrival order (the ledger seq of the partner's log), so a record uploaded
days late is still examined; the rules' windows use the time of the access.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Partner

from .choices import RuleCode, Severity, Status, SubjectKind


class Alert(models.Model):
    """What a rule found about one subject in one window, and where its triage stands."""

    rule = models.CharField(_("rule"), max_length=40, choices=RuleCode.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.NEW
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="alerts",
        verbose_name=_("partner"),
        db_index=False,  # covered by the unique key and the (partner, status) index
    )
    subject_kind = models.CharField(_("subject"), max_length=10, choices=SubjectKind.choices)
    subject_ref = models.CharField(_("subject reference"), max_length=64)
    window_start = models.DateTimeField(_("window from"))
    window_end = models.DateTimeField(_("window to"))
    evidence_code = models.CharField(_("evidence template"), max_length=60)
    numbers = models.JSONField(_("numbers"), default=dict)
    entries = models.JSONField(
        _("ledger entries"), default=list, help_text=_("[{log, seq}] of the records behind it.")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_alerts",
        verbose_name=_("assignee"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "rule",
                    "partner",
                    "subject_kind",
                    "subject_ref",
                    "window_start",
                    "window_end",
                ],
                name="alert_rule_subject_window_unique",
            )
        ]
        indexes = [
            models.Index(fields=["partner", "status"], name="alert_partner_status"),
            models.Index(fields=["status", "severity"], name="alert_status_severity"),
            models.Index(fields=["-created_at"], name="alert_created"),
        ]
        permissions = [
            ("triage_alert", "Can triage alerts"),
            ("open_investigation", "Can close an alert with an investigation opened"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.rule} {self.subject_kind} {self.subject_ref}"

    @property
    def is_open(self) -> bool:
        return self.status in (Status.NEW, Status.UNDER_REVIEW)


class AlertNote(models.Model):
    """A note a member of staff added to an alert (also in the bureau log)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    ledger_seq = models.BigIntegerField(_("bureau-log seq"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("alert note")
        verbose_name_plural = _("alert notes")

    def __str__(self) -> str:
        return f"note on alert #{self.alert_id}"


class Watermark(models.Model):
    """The last ledger seq of ``log_id`` that ``rule`` has examined (-1: none yet)."""

    rule = models.CharField(max_length=40, choices=RuleCode.choices)
    log_id = models.CharField(max_length=32)
    seq = models.BigIntegerField(default=-1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rule", "log_id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "log_id"], name="watermark_rule_log_unique")
        ]

    def __str__(self) -> str:
        return f"{self.rule}@{self.log_id}: {self.seq}"
