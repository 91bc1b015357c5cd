"""A lost authenticator is reset by a security officer: every factor goes, new backup codes come."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from auditsvc.ledger.models import LedgerEntry
from auditsvc.site import errors
from auditsvc.site.kinds import SiteKind
from auditsvc.site.services.second_factor import backup_codes_issue, second_factor_reset
from tests.admin_clients import PASSWORD, admin_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost_phone(staff) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=staff, name="phone in the river", confirmed=True)
    backup = StaticDevice.objects.create(user=staff, name="backup codes", confirmed=True)
    device.old_codes = backup_codes_issue(backup, 2)
    return device


def sign_in(code: str) -> int:
    return (
        Client()
        .post(
            "/admin/login/",
            {"username": "staff", "password": PASSWORD, "otp_token": code, "next": "/admin/"},
        )
        .status_code
    )


def test_a_security_officer_resets_a_lost_second_factor(security_officer, staff, lost_phone):
    session_of_the_thief = admin_client_for(staff)
    assert session_of_the_thief.get("/admin/").status_code == 200

    codes = second_factor_reset(staff, actor=security_officer, reason="Phone lost, ticket 88.")

    assert len(codes) == 5
    assert not TOTPDevice.objects.filter(user=staff).exists()
    held = StaticToken.objects.filter(device__user=staff)
    assert held.count() == 5 and not held.filter(token__in=codes).exists()
    # The old factors are gone, and so is every session verified with them.
    assert session_of_the_thief.get("/admin/").status_code == 302
    # A new code signs in once; the old backup codes no more.
    assert sign_in(codes[0]) == 302
    assert sign_in(lost_phone.old_codes[0]) == 200
    StaticDevice.objects.filter(user=staff).update(throttling_failure_count=0)
    assert sign_in(codes[0]) == 200

    [entry] = [
        json.loads(e.canonical)["body"]
        for e in LedgerEntry.objects.filter(kind=SiteKind.SECOND_FACTOR_RESET)
    ]
    assert entry == {
        "user": "staff",
        "user_id": staff.pk,
        "authenticators_removed": 1,
        "backup_codes_removed": 2,
        "codes_issued": 5,
        "reason": "Phone lost, ticket 88.",
        "actor": "officer",
        "actor_id": security_officer.pk,
        "reset_at": entry["reset_at"],
    }
    for code in codes:
        assert code not in LedgerEntry.objects.get(kind=SiteKind.SECOND_FACTOR_RESET).canonical


def test_after_a_reset_the_user_signs_in_and_adds_a_new_authenticator(security_officer, staff):
    codes = second_factor_reset(staff, actor=security_officer, reason="Phone lost.")
    client = Client()
    client.post(
        "/admin/login/",
        {"username": "staff", "password": PASSWORD, "otp_token": codes[0], "next": "/admin/"},
    )
    page = client.post(
        "/admin/two-factor/", {"action": "add_totp", "password": PASSWORD, "otp_token": codes[1]}
    )
    assert page.context["enrolling"].user == staff


def test_nobody_resets_their_own_second_factor(security_officer):
    TOTPDevice.objects.create(user=security_officer, name="phone", confirmed=True)
    with pytest.raises(errors.OwnAccount):
        second_factor_reset(security_officer, actor=security_officer, reason="Lost it.")
    assert TOTPDevice.objects.filter(user=security_officer).exists()


@pytest.mark.parametrize("persona", ["second_staff", "approver", "auditor"])
def test_only_a_security_officer_resets(request, persona, staff, lost_phone):
    actor = request.getfixturevalue(persona)
    with pytest.raises(errors.AccountChangeNotPermitted):
        second_factor_reset(staff, actor=actor, reason="Please.")
    assert TOTPDevice.objects.filter(pk=lost_phone.pk).exists()
    assert not LedgerEntry.objects.filter(kind=SiteKind.SECOND_FACTOR_RESET).exists()


def test_a_reset_needs_a_reason(security_officer, staff, lost_phone):
    with pytest.raises(errors.ReasonMissing):
        second_factor_reset(staff, actor=security_officer, reason="")
    assert TOTPDevice.objects.filter(pk=lost_phone.pk).exists()
