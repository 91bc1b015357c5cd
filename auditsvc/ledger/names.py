"""Translatable names of the ledger's models and their fields (see auditsvc.base.i18n)."""

from django.utils.translation import gettext_lazy as _

from auditsvc.base.i18n import name_model

from .models import LedgerEntry, Log, PublishedKey, SignedCheckpoint


def apply() -> None:
    name_model(
        PublishedKey,
        None,
        _("signing keys"),
        key_id=_("key id"),
        name=_("name"),
        algorithm=_("algorithm"),
        public_key=_("public key"),
        verifier_key=_("verifier key"),
        valid_from=_("valid from"),
        retired_at=_("retired at"),
    )
    name_model(
        Log,
        _("log"),
        _("logs"),
        log_id=_("log id"),
        size=_("size"),
        last_recorded_at=_("last recorded at"),
        created_at=_("created at"),
    )
    name_model(
        LedgerEntry,
        _("ledger entry"),
        _("ledger entries"),
        log=_("log"),
        seq=_("seq"),
        recorded_at=_("recorded at"),
        kind=_("kind"),
        canonical=_("canonical"),
        leaf_hash=_("leaf hash"),
        signature=_("signature"),
        key_id=_("key id"),
    )
    name_model(
        SignedCheckpoint,
        None,
        _("checkpoints"),
        log=_("log"),
        size=_("size"),
        root_hash=_("root hash"),
        note=_("note"),
        key_ids=_("key ids"),
        signed_at=_("signed at"),
    )
