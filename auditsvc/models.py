"""The signed ledger and the records partners report.

Ledger tables (LedgerEntry, TreeNode, Checkpoint) are append only: the
database refuses UPDATE and DELETE on them (triggers, see migrations). The
domain tables (EnrolmentSession, AccessEvent, AccountEvent) hold the queryable
columns of what the ledger entries say, each pointing at its entry.
"""

from __future__ import annotations

import uuid

from django.db import models

from partners.choices import Purpose
from partners.models import Agent, Partner

BUREAU_LOG_ID = "bureau"


class LedgerKind(models.TextChoices):
    """Kinds of ledger entries (dotted action codes; stable)."""

    SESSION_OPENED = "session.opened"
    SESSION_CLOSED = "session.closed"
    ACCESS_RECORDED = "access.recorded"
    ACCOUNT_RECORDED = "account.recorded"
    PARTNER_REGISTERED = "partner.registered"
    PARTNER_VETTING = "partner.vetting"
    PARTNER_DOCUMENT_ADDED = "partner.document_added"
    AUTHORISATION_GRANTED = "authorisation.granted"
    AUTHORISATION_REVOKED = "authorisation.revoked"
    AGENT_REGISTERED = "agent.registered"
    AGENT_STATUS_CHANGED = "agent.status_changed"
    CREDENTIAL_ISSUED = "credential.issued"
    CREDENTIAL_REVOKED = "credential.revoked"
    STAFF_TOKEN_ISSUED = "staff_token.issued"  # noqa: S105 (a ledger kind)
    STAFF_TOKEN_REVOKED = "staff_token.revoked"  # noqa: S105 (a ledger kind)
    RESIDENT_LOOKUP = "resident.lookup"
    KEY_PUBLISHED = "key.published"
    KEY_RETIRED = "key.retired"


class SigningKey(models.Model):
    """A published Ed25519 public key. The private key lives in a file or the environment."""

    key_id = models.CharField(max_length=8, primary_key=True)
    name = models.CharField(max_length=200)
    algorithm = models.CharField(max_length=16, default="ed25519")
    public_key = models.BinaryField(max_length=32)
    verifier_key = models.CharField(max_length=300, unique=True)
    valid_from = models.DateTimeField()
    retired_at = models.DateTimeField(
        null=True, blank=True, help_text="After this, the key signs nothing; it stays published."
    )

    class Meta:
        ordering = ["valid_from"]

    def __str__(self) -> str:
        return f"{self.name}+{self.key_id}"


class Log(models.Model):
    """The head of one log: its size and newest recorded_at. Locked on every append."""

    log_id = models.CharField(max_length=32, primary_key=True)
    partner = models.OneToOneField(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="log"
    )
    size = models.BigIntegerField(default=0)
    last_recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["log_id"]

    def __str__(self) -> str:
        return self.log_id


class LedgerEntry(models.Model):
    """One signed leaf of a log. ``canonical`` is the exact RFC 8785 text that was hashed."""

    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="entries")
    seq = models.BigIntegerField()
    recorded_at = models.DateTimeField()
    kind = models.CharField(max_length=64, choices=LedgerKind.choices)
    canonical = models.TextField()
    leaf_hash = models.BinaryField(max_length=32)
    signature = models.BinaryField(max_length=64)
    key_id = models.CharField(max_length=8)

    class Meta:
        ordering = ["log", "seq"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(fields=["log", "seq"], name="ledger_entry_seq_unique"),
        ]
        indexes = [
            models.Index(fields=["log", "recorded_at"], name="ledger_entry_recorded"),
            models.Index(fields=["kind"], name="ledger_entry_kind"),
        ]
        permissions = [("export_ledger", "Can export signed log bundles")]

    def __str__(self) -> str:
        return f"{self.log_id}#{self.seq} {self.kind}"


class TreeNode(models.Model):
    """Hash of a complete aligned subtree at level >= 1 (leaves are in LedgerEntry)."""

    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["log", "level", "index"], name="tree_node_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.log_id} L{self.level}#{self.index}"


class Checkpoint(models.Model):
    """A signed tree head (C2SP tlog-checkpoint in the signed-note format)."""

    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="checkpoints")
    size = models.BigIntegerField()
    root_hash = models.BinaryField(max_length=32)
    note = models.TextField()
    key_ids = models.CharField(max_length=200, help_text="Comma-separated key ids that signed it.")
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["log", "-size", "-signed_at"]
        indexes = [models.Index(fields=["log", "-signed_at"], name="checkpoint_newest")]

    def __str__(self) -> str:
        return f"{self.log_id}@{self.size}"


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


class EnrolmentSession(ViolationsMixin):
    """An agent helping one resident, from open to close."""

    class Outcome(models.TextChoices):
        COMPLETED = "completed"
        ABANDONED = "abandoned"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="sessions", db_index=False
    )  # covered by the unique (partner, client id)
    client_session_id = models.CharField(max_length=100)
    agent_code = models.CharField(max_length=32)
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    identity_ref = models.CharField(max_length=64)
    id_region_code = models.CharField(max_length=6)
    birth_year = models.PositiveSmallIntegerField()
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    region_code = models.CharField(max_length=6, help_text="Where the enrolment happens.")
    device_ref = models.CharField(max_length=64)
    consent_ref = models.CharField(max_length=200, blank=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    ledger_entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="+")
    close_entry = models.OneToOneField(
        LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "client_session_id"], name="session_client_id_unique"
            )
        ]
        indexes = [
            models.Index(fields=["partner", "opened_at"], name="session_partner_opened"),
            models.Index(fields=["identity_ref"], name="session_identity"),
            models.Index(fields=["device_ref"], name="session_device"),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.client_session_id}"


class AccessEvent(ViolationsMixin):
    """One identity access a partner reported."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="access_events", db_index=False
    )  # covered by the unique (partner, client id)
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

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "client_event_id"], name="access_client_id_unique"
            )
        ]
        indexes = [
            models.Index(fields=["partner", "occurred_at"], name="access_partner_occurred"),
            models.Index(
                fields=["partner", "agent_code", "occurred_at"], name="access_agent_occurred"
            ),
            models.Index(fields=["identity_ref"], name="access_identity"),
            models.Index(fields=["device_ref"], name="access_device"),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.client_event_id}"


class AccountEvent(ViolationsMixin):
    """An account platform's report of an account opened, bound, raised or closed.

    ``violations`` holds ``partner_not_approved`` when a platform that is not
    approved keeps reporting (the report is kept: it is evidence).
    """

    class Action(models.TextChoices):
        OPENED = "opened"
        IDENTITY_BOUND = "identity_bound"
        LIMIT_RAISED = "limit_raised"
        CLOSED = "closed"

    class Channel(models.TextChoices):
        E_CARD_ACTIVATION = "e_card_activation"
        APP = "app"
        BRANCH = "branch"
        OTHER = "other"

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="account_events", db_index=False
    )  # covered by the unique (partner, client id)
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

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "client_event_id"], name="account_client_id_unique"
            )
        ]
        indexes = [
            models.Index(fields=["partner", "occurred_at"], name="account_partner_occurred"),
            models.Index(fields=["identity_ref"], name="account_identity"),
            models.Index(fields=["account_ref"], name="account_account"),
            models.Index(fields=["device_ref"], name="account_device"),
            models.Index(fields=["phone_ref"], name="account_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.client_event_id}"


class DailyAccessCount(models.Model):
    """Accesses per partner (agent_code "") and per agent per Asia/Shanghai day, for the caps.

    Updated under the partner log's lock in the same transaction as the
    events, so the count never races.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    agent_code = models.CharField(max_length=32, blank=True)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "agent_code", "day"], name="daily_access_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}/{self.agent_code or '*'} {self.day}: {self.count}"
