"""Translatable names of the registry's models and their fields (see auditsvc.base.i18n)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from auditsvc.base.i18n import name_model

from .models import (
    Agent,
    AgentStatusChange,
    ApiCredential,
    Authorisation,
    Letter,
    Partner,
    QualificationDocument,
    StaffToken,
    VettingDecision,
)


def apply() -> None:
    name_model(
        Partner,
        _("partner"),
        _("partners"),
        code=_("code"),
        legal_name=_("legal name"),
        kind=_("kind"),
        parent=_("parent"),
        contact_name=_("contact name"),
        contact_email=_("contact email"),
        address=_("address"),
        status=_("status"),
        status_changed_at=_("status changed at"),
        created_at=_("created at"),
        registered_by=_("registered by"),
    )
    name_model(
        QualificationDocument,
        _("qualification document"),
        _("qualification documents"),
        partner=_("partner"),
        file=_("file"),
        sha256=_("sha256"),
        issued_on=_("issued on"),
        expires_on=_("expires on"),
        uploaded_by=_("uploaded by"),
        uploaded_at=_("uploaded at"),
    )
    name_model(
        VettingDecision,
        _("vetting decision"),
        _("vetting decisions"),
        partner=_("partner"),
        actor=_("actor"),
        from_status=_("from status"),
        to_status=_("to status"),
        reason=_("reason"),
        decided_at=_("decided at"),
        ledger_seq=_("ledger seq"),
    )
    name_model(
        Authorisation,
        _("authorisation"),
        _("authorisations"),
        partner=_("partner"),
        regions=_("regions"),
        purposes=_("purposes"),
        fields=_("fields"),
        valid_from=_("valid from"),
        valid_until=_("valid until"),
        hours_start=_("hours start"),
        hours_end=_("hours end"),
        daily_cap_per_agent=_("daily cap per agent"),
        daily_cap_per_partner=_("daily cap per partner"),
        created_by=_("created by"),
        created_at=_("created at"),
        revoked_at=_("revoked at"),
        revoked_by=_("revoked by"),
        revoke_reason=_("revoke reason"),
    )
    name_model(
        Agent,
        _("agent"),
        _("agents"),
        partner=_("partner"),
        code=_("code"),
        name=pgettext_lazy("person", "name"),
        phone_ref=_("phone ref"),
        identity_ref=_("identity ref"),
        status=_("status"),
        registered_on=_("registered on"),
        created_at=_("created at"),
    )
    name_model(
        AgentStatusChange,
        _("agent status change"),
        _("agent status changes"),
        agent=_("agent"),
        from_status=_("from status"),
        to_status=_("to status"),
        changed_at=_("changed at"),
        actor=_("actor"),
        reason=_("reason"),
        ledger_seq=_("ledger seq"),
    )
    name_model(
        ApiCredential,
        None,
        None,
        partner=_("partner"),
        label=_("label"),
        prefix=_("prefix"),
        key_hash=_("key hash"),
        created_by=_("created by"),
        created_at=_("created at"),
        last_used_at=_("last used at"),
        revoked_at=_("revoked at"),
        revoked_by=_("revoked by"),
        revoke_reason=_("revoke reason"),
    )
    name_model(
        StaffToken,
        None,
        _("personal API tokens"),
        user=_("user"),
        label=_("label"),
        prefix=_("prefix"),
        key_hash=_("key hash"),
        created_at=_("created at"),
        last_used_at=_("last used at"),
        revoked_at=_("revoked at"),
    )
    name_model(
        Letter,
        _("letter"),
        _("letters"),
        number=_("number"),
        partner=_("partner"),
        authorisation=_("authorisation"),
        document=_("document"),
        key_id=_("key id"),
        signature=_("signature"),
        issued_at=_("issued at"),
        issued_by=_("issued by"),
        ledger_seq=_("ledger seq"),
        revoked_at=_("revoked at"),
        revoked_by=_("revoked by"),
        revoke_reason=_("revoke reason"),
    )
