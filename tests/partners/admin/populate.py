"""One row of every model registered in the admin, through the services and the API.

Used by the tests that open every list and change page. Rows of the audit app
are made the way they are in production: ledger entries by the services,
sessions and events through the ingestion API with a partner key.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories
from tests.conftest import bearer_client

#: Every app of this project (not Django's or third parties'): each of its admin pages is tested.
APPS_UNDER_TEST = tuple(
    config.label
    for config in apps.get_app_configs()
    if config.name == "partners" or config.name.startswith("auditsvc.")
)


def registered_models(app_labels=None) -> list[str]:
    """ "app_label.model_name" of every model registered on the admin site."""
    return sorted(
        f"{model._meta.app_label}.{model._meta.model_name}"
        for model in admin.site._registry
        if app_labels is None or model._meta.app_label in app_labels
    )


def model_admin_for(label: str):
    for model, model_admin in admin.site._registry.items():
        if f"{model._meta.app_label}.{model._meta.model_name}" == label:
            return model, model_admin
    raise LookupError(label)


def report_activity(partner, account_platform) -> None:
    """A session, an access and an account event through the API (rows of the audit app)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=30)
    resident = {"scheme": "cn-resident-id", "value": factories.make_resident_id(sequence=321)}
    client = bearer_client(factories.issue_partner_key(partner))
    response = client.post(
        "/api/v1/sessions",
        {
            "client_session_id": "admin-s-1",
            "agent": "A-0001",
            "resident": resident,
            "purpose": "card_activation",
            "region_code": "411381",
            "device": "tablet-1",
            "opened_at": now.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    session_id = response.json()["id"]
    response = client.post(
        "/api/v1/access-events",
        {
            "events": [
                {
                    "client_event_id": "admin-e-1",
                    "session": session_id,
                    "agent": "A-0001",
                    "resident": resident,
                    "fields": ["name"],
                    "purpose": "card_activation",
                    "occurred_at": (now + dt.timedelta(minutes=1)).isoformat(),
                    "device": "tablet-1",
                }
            ]
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    platform = bearer_client(factories.issue_partner_key(account_platform))
    response = platform.post(
        "/api/v1/account-events",
        {
            "events": [
                {
                    "client_event_id": "admin-a-1",
                    "holder": resident,
                    "action": "opened",
                    "account": "acct-1",
                    "occurred_at": now.isoformat(),
                    "device": "phone-1",
                    "phone": "+8613800000111",
                    "channel": "app",
                }
            ]
        },
        format="json",
    )
    assert response.status_code == 201, response.content


def populate_everything(registry, account_platform, superuser) -> None:
    """Rows for the audit app and the third-party apps on top of the registry fixture."""
    from auditsvc.ledger.checkpoints import checkpoint_sign
    from auditsvc.ledger.models import BUREAU_LOG_ID

    report_activity(registry["vetted"], account_platform)
    produce_access_report(superuser)
    checkpoint_sign(BUREAU_LOG_ID)
    ask_for_an_export(superuser)
    raise_an_alert(registry["vetted"])
    TOTPDevice.objects.create(user=superuser, name="phone", confirmed=True)


def raise_an_alert(partner) -> None:
    """An alert (a row of the detection app): a read with no open session, then detection."""
    from auditsvc.detection.services import run_detection

    now = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=20)
    resident = {"scheme": "cn-resident-id", "value": factories.make_resident_id(sequence=322)}
    client = bearer_client(factories.issue_partner_key(partner))
    event = {
        "client_event_id": "admin-e-no-session",
        "session": None,
        "agent": "A-0001",
        "resident": resident,
        "fields": ["name"],
        "purpose": "card_activation",
        "occurred_at": now.isoformat(),
        "device": "tablet-1",
    }
    response = client.post("/api/v1/access-events", {"events": [event]}, format="json")
    assert response.status_code == 201, response.content
    run_detection(partner_code=partner.code)


def produce_access_report(actor) -> None:
    """A resident's access report (a row of the reports app), about the resident above."""
    from auditsvc.base.identities import RESIDENT_ID_SCHEME, resident_identity
    from auditsvc.reports.services import report_produce

    identity = resident_identity(RESIDENT_ID_SCHEME, factories.make_resident_id(sequence=321))
    report_produce(identity, actor=actor)


def ask_for_an_export(actor) -> None:
    """An export of the bureau log (a row of the exports app), written at once (small)."""
    from django.db import transaction

    from auditsvc.exports.services import export_request

    now = dt.datetime.now(dt.UTC)
    with transaction.atomic():
        export = export_request(
            actor=actor, log="bureau", from_=now - dt.timedelta(days=1), to=now, via="admin"
        )
    # Inside the test's transaction the commit callbacks never run: write it here.
    from auditsvc.exports.services import export_run

    export_run(export.pk)
