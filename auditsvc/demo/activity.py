"""A little reported activity, through the same validation and services as the API."""

from __future__ import annotations

import contextlib
import datetime as dt

from auditsvc.ingestion.errors import IdempotencyConflict
from auditsvc.ingestion.services import access_events_record, account_events_record, session_open
from auditsvc.ingestion.validation import (
    validate_access_batch,
    validate_account_batch,
    validate_session_open,
)
from partners.choices import PartnerKind, Purpose
from partners.models import Partner

from .data import AGENT_CODES, DemoPartner, demo_id_number


def record_demo_activity(partner: Partner, spec: DemoPartner, moment: dt.datetime) -> None:
    """One session and one access (or one account event) at ``moment``, idempotent by client id.

    seed_demo calls it on the simulated clock, the morning after the partners'
    approval, so the activity is judged against a partner approved at the time.
    It is reported without a credential, as records entered by the bureau
    would be: the demo keys are issued at the end of the history, now.
    """
    with contextlib.suppress(IdempotencyConflict):
        _record(partner, spec, moment)


def _record(partner: Partner, spec: DemoPartner, moment: dt.datetime) -> None:
    resident = {"scheme": "cn-resident-id", "value": demo_id_number(spec.region, 900 + spec.serial)}
    if spec.kind == PartnerKind.ACCOUNT_PLATFORM:
        events = validate_account_batch(
            {
                "events": [
                    {
                        "client_event_id": "demo-account-1",
                        "holder": resident,
                        "action": "opened",
                        "account": "demo-account-0001",
                        "occurred_at": moment.isoformat(),
                        "device": "demo-device-platform",
                        "phone": "+8613800009901",
                        "channel": "app",
                    }
                ]
            },
            platform_code=partner.code,
        )
        account_events_record(partner, events, credential=None)
        return
    session = session_open(
        partner,
        validate_session_open(
            {
                "client_session_id": "demo-session-1",
                "agent": AGENT_CODES[0],
                "resident": resident,
                "purpose": Purpose.CARD_ACTIVATION.value,
                "region_code": spec.region,
                "device": f"demo-device-{partner.code}",
                "opened_at": moment.isoformat(),
                "consent_ref": "demo-consent-1",
            }
        ),
        credential=None,
    ).session
    access_events_record(
        partner,
        validate_access_batch(
            {
                "events": [
                    {
                        "client_event_id": "demo-access-1",
                        "session": str(session.pk),
                        "agent": AGENT_CODES[0],
                        "resident": resident,
                        "fields": ["name", "id_number"],
                        "purpose": Purpose.CARD_ACTIVATION.value,
                        "occurred_at": (moment + dt.timedelta(minutes=2)).isoformat(),
                        "device": f"demo-device-{partner.code}",
                    }
                ]
            }
        ),
        credential=None,
    )
