"""What a partner may do and who does it: authorisations, agents and their status changes."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import AgentStatus
from ..validators import validate_region_list
from .registry import Partner, local_day


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
