"""POST /api/v1/account-events: account platforms report accounts tied to residents."""

from __future__ import annotations

import datetime as dt

import pytest

from auditsvc.base.identities import account_ref, device_ref, phone_ref, resident_identity
from auditsvc.ingestion.kinds import IngestionKind
from auditsvc.ingestion.models import AccountEvent
from partners.choices import PartnerKind, PartnerStatus
from tests import factories
from tests.conftest import bearer_client

from .support import (
    ACCOUNT,
    ACCOUNT_URL,
    DEVICE,
    PHONE,
    RESIDENT,
    account_event,
    assert_receipt_verifies,
    entry_body,
    post,
    problem_errors,
    records_count,
)


def test_it_records_account_events_as_pseudonyms(platform_client, account_platform, now):
    events = [
        account_event(now - dt.timedelta(minutes=3), 1),
        account_event(now, 2, action="limit_raised", channel="app"),
    ]

    response = post(platform_client, ACCOUNT_URL, {"events": events})

    assert response.status_code == 201
    results = response.json()["results"]
    assert [(r["client_event_id"], r["status"], r["violations"]) for r in results] == [
        ("acc-1", "recorded", []),
        ("acc-2", "recorded", []),
    ]
    entry = assert_receipt_verifies(results[0]["receipt"])
    assert entry.kind == IngestionKind.ACCOUNT_RECORDED
    assert entry.log_id == account_platform.code

    row = AccountEvent.objects.get(client_event_id="acc-1")
    assert row.partner == account_platform
    assert row.identity_ref == resident_identity("cn-resident-id", RESIDENT).identity_ref
    assert row.account_ref == account_ref(account_platform.code, ACCOUNT)
    assert row.phone_ref == phone_ref(PHONE)
    assert row.device_ref == device_ref(DEVICE)
    assert (row.action, row.channel, row.birth_year) == ("opened", "e_card_activation", 1950)
    signed = entry_body(entry)
    assert signed["account_ref"] == row.account_ref
    assert signed["phone_ref"] == row.phone_ref
    assert AccountEvent.objects.get(client_event_id="acc-2").action == "limit_raised"


def test_it_answers_a_resent_batch_with_the_original_receipts(platform_client, now):
    body = {"events": [account_event(now, 1), account_event(now, 2)]}
    first = post(platform_client, ACCOUNT_URL, body)
    size = records_count()

    again = post(platform_client, ACCOUNT_URL, body)

    assert again.status_code == 201  # DESIGN.md: always 201, status per record
    assert [r["receipt"] for r in again.json()["results"]] == [
        r["receipt"] for r in first.json()["results"]
    ]
    assert {r["status"] for r in again.json()["results"]} == {"duplicate"}
    assert records_count() == size


def test_it_records_a_platform_that_is_not_approved_with_a_violation(
    platform_client, account_platform, now
):
    account_platform.__class__.objects.filter(pk=account_platform.pk).update(
        status=PartnerStatus.SUSPENDED
    )

    response = post(platform_client, ACCOUNT_URL, {"events": [account_event(now)]})

    assert response.status_code == 201
    assert response.json()["results"][0]["violations"] == ["partner_not_approved"]
    assert AccountEvent.objects.get().violation_list == ["partner_not_approved"]


def test_it_judges_the_platform_at_the_time_of_the_event(
    platform_client, account_platform, staff, now
):
    """An event dated during a suspension is flagged even after reinstatement."""
    from partners.models import VettingDecision

    suspended_at = now - dt.timedelta(hours=3)
    for decided_at, from_status, to_status in [
        (suspended_at, PartnerStatus.APPROVED, PartnerStatus.SUSPENDED),
        (now - dt.timedelta(hours=1), PartnerStatus.SUSPENDED, PartnerStatus.APPROVED),
    ]:
        VettingDecision.objects.create(
            partner=account_platform,
            actor=staff,
            from_status=from_status,
            to_status=to_status,
            reason="test",
            decided_at=decided_at,
        )
    during = account_event(now - dt.timedelta(hours=2), 1)
    after = account_event(now, 2)

    results = post(platform_client, ACCOUNT_URL, {"events": [during, after]}).json()["results"]

    assert [r["violations"] for r in results] == [["partner_not_approved"], []]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"action": "transferred"}, "action", "invalid_choice"),
        ({"channel": "phone_call"}, "channel", "invalid_choice"),
        ({"phone": "call me"}, "phone", "invalid_format"),
        (
            {"holder": {"scheme": "cn-resident-id", "value": "110105194912310021"}},
            "holder.value",
            "invalid_checksum",
        ),
        ({"occurred_at": "yesterday"}, "occurred_at", "invalid_datetime"),
        ({"account": None}, "account", "required"),
        ({"amount": 100}, "amount", "unknown_field"),
    ],
)
def test_it_refuses_a_malformed_batch_whole(platform_client, now, change, field, code):
    events = [account_event(now, 1), account_event(now, 2, **change)]

    response = post(platform_client, ACCOUNT_URL, {"events": events})

    assert problem_errors(response) == {(f"events[1].{field}", code)}
    assert records_count() == 0


def test_it_never_echoes_a_phone_number(platform_client, now):
    phone = "+86 139 1234 567x"

    response = post(platform_client, ACCOUNT_URL, {"events": [account_event(now, phone=phone)]})

    assert response.status_code == 400
    assert phone not in response.content.decode()


def test_it_refuses_an_enrolment_partner(partner_client, now):
    response = post(partner_client, ACCOUNT_URL, {"events": [account_event(now)]})

    assert response.status_code == 403
    assert response.json()["code"] == "wrong_partner_kind"
    assert records_count() == 0


def test_it_refuses_a_staff_token(auditor_client, now):
    response = post(auditor_client, ACCOUNT_URL, {"events": [account_event(now)]})

    assert response.status_code == 403


def test_it_keeps_two_platforms_apart(platform_client, account_platform, now):
    from tests import factories
    from tests.conftest import bearer_client

    second = factories.PartnerFactory(kind=account_platform.kind, status=PartnerStatus.APPROVED)
    second_client = bearer_client(factories.issue_partner_key(second))

    post(platform_client, ACCOUNT_URL, {"events": [account_event(now, 1)]})
    response = post(second_client, ACCOUNT_URL, {"events": [account_event(now, 1)]})

    assert response.status_code == 201
    assert response.json()["results"][0]["status"] == "recorded"
    refs = dict(AccountEvent.objects.values_list("partner__code", "account_ref"))
    assert refs[account_platform.code] != refs[second.code]  # account ids are per platform


# --- Isolation between account platforms -------------------------------------------------


@pytest.fixture
def other_platform_client(db):
    other = factories.PartnerFactory(
        kind=PartnerKind.ACCOUNT_PLATFORM, status=PartnerStatus.APPROVED
    )
    return other, bearer_client(factories.issue_partner_key(other))


def test_one_platform_cannot_read_anothers_receipts(platform_client, other_platform_client, now):
    _, other_client = other_platform_client
    mine = post(platform_client, ACCOUNT_URL, {"events": [account_event(now, 1)]}).json()
    receipt = mine["results"][0]["receipt"]
    url = f"/api/v1/receipts/{receipt['log']}/{receipt['seq']}"

    own = platform_client.get(url)
    theirs = other_client.get(url)

    assert own.status_code == 200
    assert theirs.status_code == 404
    assert receipt["signature"] not in theirs.content.decode()


def test_duplicate_detection_is_per_platform(
    platform_client, account_platform, other_platform_client, now
):
    other, other_client = other_platform_client
    body = {"events": [account_event(now, 1)]}
    mine = post(platform_client, ACCOUNT_URL, body).json()["results"][0]

    theirs = post(other_client, ACCOUNT_URL, body)

    assert theirs.status_code == 201
    [result] = theirs.json()["results"]
    assert result["status"] == "recorded"  # the same client id at another platform is new
    assert result["receipt"]["log"] == other.code != mine["receipt"]["log"]
    rows = AccountEvent.objects.filter(client_event_id="acc-1")
    assert {row.partner.code for row in rows} == {account_platform.code, other.code}
    # Account ids are scoped per platform: the same id gives two pseudonyms.
    assert len({row.account_ref for row in rows}) == 2
