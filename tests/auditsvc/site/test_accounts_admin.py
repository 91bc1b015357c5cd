"""The security officers' pages, and Django's user and group admin that no longer go around them."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from auditsvc.ledger.models import LedgerEntry
from auditsvc.site.kinds import SiteKind
from auditsvc.site.services.roles import roles_of
from partners import roles

pytestmark = pytest.mark.django_db


def account_url(name: str, user, *args) -> str:
    return reverse(f"admin:site_staffaccount_{name}", args=[user.pk, *args])


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_security_officer_sees_every_account_with_roles_and_second_factors(
    as_security_officer, staff, approver, auditor
):
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    page = as_security_officer.get(reverse("admin:site_staffaccount_changelist"))
    assert page.status_code == 200
    content = page.content.decode()
    for user in (staff, approver, auditor):
        assert user.username in content
    assert "Bureau staff, Approvers" in content
    assert "1 authenticator app, 0 backup codes" in content

    detail = as_security_officer.get(account_url("change", staff))
    labels = [action["label"] for action in detail.context["record_actions"]]
    assert labels == ["Grant role", "Remove role", "Reset second factor"]


def test_it_grants_and_removes_a_role_from_the_account_page(as_security_officer, staff):
    response = as_security_officer.post(
        account_url("grant_role", staff),
        {"role": roles.APPROVERS, "reason": "Second approver needed."},
        follow=True,
    )
    assert any("granted" in m for m in messages_of(response))
    assert roles_of(staff) == [roles.BUREAU_STAFF, roles.APPROVERS]

    as_security_officer.post(
        account_url("remove_role", staff), {"role": roles.APPROVERS, "reason": "Done."}
    )
    assert roles_of(staff) == [roles.BUREAU_STAFF]
    assert LedgerEntry.objects.filter(kind=SiteKind.ROLE_GRANTED).count() == 1
    assert LedgerEntry.objects.filter(kind=SiteKind.ROLE_REMOVED).count() == 1


def test_the_page_shows_the_services_refusal(as_security_officer, security_officer):
    response = as_security_officer.post(
        account_url("grant_role", security_officer),
        {"role": roles.AUDITORS, "reason": "Myself."},
        follow=True,
    )
    assert any("[own_account]" in m for m in messages_of(response))
    assert roles_of(security_officer) == [roles.SECURITY_OFFICERS]


def test_it_resets_a_second_factor_and_shows_the_new_codes_once(as_security_officer, staff):
    TOTPDevice.objects.create(user=staff, name="lost phone", confirmed=True)

    posted = as_security_officer.post(
        account_url("reset_second_factor", staff), {"reason": "Phone lost."}
    )
    assert posted.status_code == 302
    shown = as_security_officer.get(posted["Location"])
    codes = shown.context["secret"].split()
    assert len(codes) == 5 and all(code in shown.content.decode() for code in codes)
    held = StaticToken.objects.filter(device__user=staff)
    assert held.count() == 5 and not held.filter(token__in=codes).exists()
    assert "no-store" in shown["Cache-Control"]

    again = as_security_officer.get(posted["Location"])
    assert again.status_code == 410
    assert not any(code in again.content.decode() for code in codes)
    assert not TOTPDevice.objects.filter(user=staff).exists()
    [entry] = LedgerEntry.objects.filter(kind=SiteKind.SECOND_FACTOR_RESET)
    assert json.loads(entry.canonical)["body"]["reason"] == "Phone lost."


@pytest.mark.parametrize("client", ["as_staff", "as_approver", "as_auditor"])
def test_only_security_officers_change_accounts(request, client, second_staff):
    client = request.getfixturevalue(client)
    for name in ("grant_role", "remove_role", "reset_second_factor"):
        response = client.post(
            account_url(name, second_staff), {"role": roles.APPROVERS, "reason": "Let me."}
        )
        assert response.status_code == 403, name
    assert roles_of(second_staff) == [roles.BUREAU_STAFF]
    assert not LedgerEntry.objects.filter(log_id="bureau").exists()


def test_a_security_officer_cannot_act_as_staff_in_the_admin(as_security_officer):
    for name in (
        "partners_partner_add",
        "partners_apicredential_add",
        "partners_partner_changelist",
    ):
        assert as_security_officer.get(reverse(f"admin:{name}")).status_code == 403


# --- Django's own pages ---------------------------------------------------------------------


def test_the_user_admin_no_longer_changes_roles(as_superuser, staff):
    url = reverse("admin:auth_user_change", args=[staff.pk])
    page = as_superuser.get(url)
    form = page.context["adminform"].form
    for field in ("groups", "user_permissions", "is_superuser"):
        assert field not in form.fields

    approvers = Group.objects.get(name=roles.APPROVERS)
    as_superuser.post(
        url,
        {
            "username": "staff",
            "first_name": "",
            "last_name": "",
            "email": "staff@ybj.example",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [approvers.pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    staff.refresh_from_db()
    assert roles_of(staff) == [roles.BUREAU_STAFF]
    assert not staff.is_superuser
    assert (
        as_superuser.post(
            reverse("admin:auth_user_delete", args=[staff.pk]), {"post": "yes"}
        ).status_code
        == 403
    )


def test_the_group_admin_is_read_only(as_superuser):
    group = Group.objects.get(name=roles.AUDITORS)
    assert as_superuser.get(reverse("admin:auth_group_add")).status_code == 403
    before = set(group.permissions.values_list("pk", flat=True))
    as_superuser.post(
        reverse("admin:auth_group_change", args=[group.pk]), {"name": "Auditors", "permissions": []}
    )
    assert set(group.permissions.values_list("pk", flat=True)) == before
    assert (
        as_superuser.post(
            reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
