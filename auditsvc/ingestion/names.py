"""Translatable names of the ingestion models and their fields (see auditsvc.base.i18n)."""

from django.utils.translation import gettext_lazy as _

from auditsvc.base.i18n import name_model

from .models import AccessEvent, AccountEvent, EnrolmentSession


def apply() -> None:
    name_model(
        EnrolmentSession,
        _("enrolment session"),
        _("enrolment sessions"),
        test=_("test"),
        violations=_("violations"),
        id=_("id"),
        partner=_("partner"),
        client_session_id=_("client session id"),
        agent_code=_("agent code"),
        agent=_("agent"),
        identity_ref=_("identity ref"),
        id_region_code=_("id region code"),
        birth_year=_("birth year"),
        purpose=_("purpose"),
        region_code=_("region code"),
        device_ref=_("device ref"),
        consent_ref=_("consent ref"),
        opened_at=_("opened at"),
        closed_at=_("closed at"),
        outcome=_("outcome"),
        ledger_entry=_("ledger entry"),
        close_entry=_("close entry"),
        ledger_seq=_("ledger seq"),
        close_seq=_("close seq"),
    )
    name_model(
        AccessEvent,
        _("access event"),
        _("access events"),
        test=_("test"),
        violations=_("violations"),
        partner=_("partner"),
        client_event_id=_("client event id"),
        session=_("session"),
        agent_code=_("agent code"),
        agent=_("agent"),
        identity_ref=_("identity ref"),
        id_region_code=_("id region code"),
        birth_year=_("birth year"),
        fields=_("fields"),
        purpose=_("purpose"),
        occurred_at=_("occurred at"),
        device_ref=_("device ref"),
        recorded_at=_("recorded at"),
        ledger_entry=_("ledger entry"),
        ledger_seq=_("ledger seq"),
    )
    name_model(
        AccountEvent,
        _("account event"),
        _("account events"),
        test=_("test"),
        violations=_("violations"),
        partner=_("partner"),
        client_event_id=_("client event id"),
        identity_ref=_("identity ref"),
        id_region_code=_("id region code"),
        birth_year=_("birth year"),
        action=_("action"),
        account_ref=_("account ref"),
        occurred_at=_("occurred at"),
        device_ref=_("device ref"),
        phone_ref=_("phone ref"),
        channel=_("channel"),
        recorded_at=_("recorded at"),
        ledger_entry=_("ledger entry"),
        ledger_seq=_("ledger seq"),
    )
