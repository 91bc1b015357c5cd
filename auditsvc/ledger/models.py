"""The tables of the signed ledger. All of them but the log head are append only.

The database itself refuses UPDATE and DELETE on ``LedgerEntry``,
``TreeNode`` and ``SignedCheckpoint`` (and TRUNCATE on PostgreSQL): see
migration 0002. ``Log`` is the head that every append locks and moves;
``PublishedKey`` holds public halves only (a rotation sets ``retired_at``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

#: The log of the bureau's own decisions.
BUREAU_LOG_ID = "bureau"


class PublishedKey(models.Model):
    """A published Ed25519 public key. The private half lives in a file or the environment."""

    key_id = models.CharField(max_length=8, primary_key=True)
    name = models.CharField(max_length=200)
    algorithm = models.CharField(max_length=16, default="ed25519")
    public_key = models.BinaryField(max_length=32)
    verifier_key = models.CharField(max_length=300, unique=True)
    valid_from = models.DateTimeField()
    retired_at = models.DateTimeField(
        null=True, blank=True, help_text=_("After this, the key signs nothing; it stays published.")
    )

    class Meta:
        ordering = ["valid_from"]
        verbose_name = _("signing key")

    def __str__(self) -> str:
        return f"{self.name}+{self.key_id}"


class Log(models.Model):
    """The head of one log: its size and newest recorded_at. Locked on every append.

    Known by its id alone (a partner's code, or ``bureau``): the ledger does
    not know what is behind a log.
    """

    log_id = models.CharField(max_length=32, primary_key=True)
    size = models.BigIntegerField(default=0)
    last_recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["log_id"]

    def __str__(self) -> str:
        return self.log_id


class LedgerEntry(models.Model):
    """One signed leaf of a log. ``canonical`` is the exact RFC 8785 text that was hashed."""

    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="entries", db_index=False)
    seq = models.BigIntegerField()
    recorded_at = models.DateTimeField()
    kind = models.CharField(max_length=64)
    canonical = models.TextField()
    leaf_hash = models.BinaryField(max_length=32)
    signature = models.BinaryField(max_length=64)
    key_id = models.CharField(max_length=8)

    class Meta:
        ordering = ["log", "seq"]
        verbose_name_plural = _("ledger entries")
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

    # The unique (log, level, index) serves every lookup by log: no index of its own.
    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="+", db_index=False)
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["log", "level", "index"], name="tree_node_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.log_id} L{self.level}#{self.index}"


class SignedCheckpoint(models.Model):
    """A signed tree head (C2SP tlog-checkpoint in the signed-note format)."""

    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="checkpoints")
    size = models.BigIntegerField()
    root_hash = models.BinaryField(max_length=32)
    note = models.TextField()
    key_ids = models.CharField(
        max_length=200, help_text=_("Comma-separated key ids that signed it.")
    )
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["log", "-size", "-signed_at"]
        verbose_name = _("checkpoint")
        indexes = [models.Index(fields=["log", "-signed_at"], name="checkpoint_newest")]

    def __str__(self) -> str:
        return f"{self.log_id}@{self.size}"
