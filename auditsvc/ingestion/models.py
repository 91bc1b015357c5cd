"""What partners report: enrolment sessions, identity accesses, account events, daily counts.

Each row holds the queryable columns of what its signed ledger entry says
and points at that entry; only pseudonyms are stored (``identity_ref``,
``device_ref``, ``phone_ref``, ``account_ref``), never a raw number. The rows
are evidence: nothing updates them but a session's close, and nothing deletes them.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from auditsvc.ledger.models import LedgerEntry
from partners.choices import Purpose
from partners.models import Agent, Partner


class TestRecordMixin(models.Model):
    """Whether a record came with a partner's test key (it then lives in the test log)."""

    test = models.BooleanField(
        default=False,
        help_text=_("Reported with a test key: kept in the partner's test log, never evidence."),
    )

    class Meta:
        abstract = True


class ViolationsMixin(models.Model):
    """Violation codes, comma-separated with surrounding commas (",a,b,") so that
    ``violations__contains=",code,"`` filters on every database."""

    violations = models.CharField(max_length=400, blank=True, default="")

    class Meta:
        abstract = True

    @property
    def violation_list(self) -> list[str]:
        return [v for v in self.violations.split(",") if v]

    @staticmethod
    def join_violations(codes: list[str]) -> str:
        return f",{','.join(codes)}," if codes else ""


class EnrolmentSession(TestRecordMixin, ViolationsMixin):
    """An agent helping one resident, from open to close."""

    class Outcome(models.TextChoices):
        COMPLETED = "completed", _("Completed")
        ABANDONED = "abandoned", _("Abandoned")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="sessions", db_index=False
    )  # covered by the unique (partner, test, client id)
    client_session_id = models.CharField(max_length=100)
    agent_code = models.CharField(max_length=32)
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    identity_ref = models.CharField(max_length=64)
    id_region_code = models.CharField(max_length=6)
    birth_year = models.PositiveSmallIntegerField()
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    region_code = models.CharField(max_length=6, help_text=_("Where the enrolment happens."))
    device_ref = models.CharField(max_length=64)
    consent_ref = models.CharField(max_length=200, blank=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    ledger_entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="+")
    close_entry = models.OneToOneField(
        LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The seqs of ledger_entry and close_entry in their log, copied so that detection
    # finds "the records that arrived between two seqs" in this table's own index.
    ledger_seq = models.BigIntegerField(editable=False)
    close_seq = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "test", "client_session_id"], name="session_client_id_unique"
            )
        ]
        indexes = [
            models.Index(fields=["partner", "opened_at"], name="session_partner_opened"),
            models.Index(fields=["identity_ref"], name="session_identity"),
            models.Index(fields=["device_ref"], name="session_device"),
            models.Index(fields=["partner", "test", "ledger_seq"], name="session_partner_seq"),
            models.Index(
                fields=["partner", "test", "close_seq"],
                name="session_partner_close_seq",
                condition=models.Q(close_seq__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        # The log it is in (P0001, or P0001T for a test record) and the partner's own id.
        return _("%(log)s session %(id)s") % {
            "log": self.partner.log_id_for(test=self.test),
            "id": self.client_session_id,
        }


class AccessEvent(TestRecordMixin, ViolationsMixin):
    """One identity access a partner reported."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="access_events", db_index=False
    )  # covered by the unique (partner, test, client id)
    client_event_id = models.CharField(max_length=100)
    session = models.ForeignKey(
        EnrolmentSession, null=True, blank=True, on_delete=models.PROTECT, related_name="accesses"
    )
    agent_code = models.CharField(max_length=32)
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    identity_ref = models.CharField(max_length=64)
    id_region_code = models.CharField(max_length=6)
    birth_year = models.PositiveSmallIntegerField()
    fields = models.JSONField()
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    occurred_at = models.DateTimeField()
    device_ref = models.CharField(max_length=64)
    recorded_at = models.DateTimeField()
    ledger_entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="+")
    ledger_seq = models.BigIntegerField(editable=False)  # ledger_entry's seq (detection)

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "test", "client_event_id"], name="access_client_id_unique"
            )
        ]
        indexes = [
            models.Index(fields=["partner", "occurred_at"], name="access_partner_occurred"),
            models.Index(
                fields=["partner", "agent_code", "occurred_at"], name="access_agent_occurred"
            ),
            models.Index(fields=["identity_ref"], name="access_identity"),
            models.Index(fields=["device_ref"], name="access_device"),
            models.Index(fields=["partner", "test", "ledger_seq"], name="access_partner_seq"),
        ]

    def __str__(self) -> str:
        return _("%(log)s access %(id)s") % {
            "log": self.partner.log_id_for(test=self.test),
            "id": self.client_event_id,
        }


class AccountEvent(TestRecordMixin, ViolationsMixin):
    """An account platform's report of an account opened, bound, raised or closed.

    ``violations`` holds ``partner_not_approved`` when a platform that is not
    approved keeps reporting (the report is kept: it is evidence).
    """

    class Action(models.TextChoices):
        OPENED = "opened", pgettext_lazy("account action", "Opened")
        IDENTITY_BOUND = "identity_bound", _("Identity bound")
        LIMIT_RAISED = "limit_raised", _("Transfer limit raised")
        CLOSED = "closed", pgettext_lazy("account action", "Closed")

    class Channel(models.TextChoices):
        E_CARD_ACTIVATION = "e_card_activation", _("E-card activation")
        APP = "app", _("Platform app")
        BRANCH = "branch", _("Branch counter")
        OTHER = "other", _("Other")

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="account_events", db_index=False
    )  # covered by the unique (partner, test, client id)
    client_event_id = models.CharField(max_length=100)
    identity_ref = models.CharField(max_length=64)
    id_region_code = models.CharField(max_length=6)
    birth_year = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=16, choices=Action.choices)
    account_ref = models.CharField(max_length=64)
    occurred_at = models.DateTimeField()
    device_ref = models.CharField(max_length=64)
    phone_ref = models.CharField(max_length=64)
    channel = models.CharField(max_length=32, choices=Channel.choices)
    recorded_at = models.DateTimeField()
    ledger_entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="+")
    ledger_seq = models.BigIntegerField(editable=False)  # ledger_entry's seq (detection)

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "test", "client_event_id"], name="account_client_id_unique"
            )
        ]
        indexes = [
            models.Index(fields=["partner", "occurred_at"], name="account_partner_occurred"),
            models.Index(fields=["identity_ref"], name="account_identity"),
            models.Index(fields=["account_ref"], name="account_account"),
            models.Index(fields=["device_ref"], name="account_device"),
            models.Index(fields=["phone_ref"], name="account_phone"),
            models.Index(fields=["partner", "test", "ledger_seq"], name="account_partner_seq"),
        ]

    def __str__(self) -> str:
        return _("%(log)s account event %(id)s") % {
            "log": self.partner.log_id_for(test=self.test),
            "id": self.client_event_id,
        }


class DailyAccessCount(TestRecordMixin):
    """Accesses per partner (agent_code "") and per agent per Asia/Shanghai day, for the caps.

    Updated under the partner log's lock in the same transaction as the
    events, so the count never races. Test records are counted apart
    (``test``), so they never use up a live cap.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    agent_code = models.CharField(max_length=32, blank=True)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "test", "agent_code", "day"], name="daily_access_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}/{self.agent_code or '*'} {self.day}: {self.count}"
