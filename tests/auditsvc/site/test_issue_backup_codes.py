"""manage.py issue_backup_codes: a new staff member's first second factor, kept only as hashes."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from auditsvc.ledger.models import LedgerEntry
from auditsvc.site.kinds import SiteKind
from tests.admin_clients import PASSWORD
from tests.db_scan import scan_database

pytestmark = pytest.mark.django_db


def issue(*args: str) -> tuple[list[str], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_backup_codes", *args, stdout=out, stderr=err)
    return out.getvalue().split(), err.getvalue()


def sign_in(code: str) -> int:
    data = {"username": "staff", "password": PASSWORD, "otp_token": code, "next": "/admin/"}
    return Client().post("/admin/login/", data).status_code


def test_a_new_staff_member_signs_in_with_a_printed_code_once(staff):
    codes, said = issue("staff", "--count", "3")

    assert len(codes) == 3 and "3 backup codes for staff" in said
    assert scan_database(set(codes)) == [], "only keyed hashes are stored"
    assert sign_in(codes[0]) == 302
    assert sign_in(codes[0]) == 200  # each works once
    [entry] = LedgerEntry.objects.filter(kind=SiteKind.BACKUP_CODES_RENEWED)
    body = json.loads(entry.canonical)["body"]
    assert (body["user"], body["codes"], body["codes_replaced"]) == ("staff", 3, 0)
    assert (body["actor"], body["actor_id"]) == (None, None)
    assert not any(code in entry.canonical for code in codes)


def test_someone_with_a_second_factor_is_sent_to_a_security_officer(staff):
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)

    with pytest.raises(CommandError, match=r"already has a second factor.*security officer"):
        issue("staff")

    assert not LedgerEntry.objects.filter(kind=SiteKind.BACKUP_CODES_RENEWED).exists()


def test_codes_left_unused_also_count_as_a_second_factor(staff):
    issue("staff")

    with pytest.raises(CommandError, match="already has a second factor"):
        issue("staff")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nobody",), "No user named 'nobody'"),
        (("staff", "--count", "0"), "between 1 and 20"),
        (("staff", "--count", "21"), "between 1 and 20"),
    ],
)
def test_bad_input_is_refused_with_a_reason(staff, args, message):
    with pytest.raises(CommandError, match=message):
        issue(*args)


def test_an_inactive_account_gets_no_codes(staff):
    staff.is_active = False
    staff.save()

    with pytest.raises(CommandError, match="inactive"):
        issue("staff")
