"""Signing in to the admin takes a password and a one-time code; staff enrol their own apps."""

from __future__ import annotations

import datetime as dt
import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from auditsvc.ledger.models import LedgerEntry
from auditsvc.site.kinds import SiteKind
from auditsvc.site.services.second_factor import (
    ENROLMENT_MINUTES,
    backup_codes_issue,
    verify_second_factor,
)
from tests.admin_clients import MODEL_BACKEND, PASSWORD, admin_client_for, current_code
from tests.db_scan import scan_database

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
INDEX = "/admin/"


@pytest.fixture
def totp_device(staff) -> TOTPDevice:
    return TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)


@pytest.fixture
def backup_code(staff) -> str:
    device = StaticDevice.objects.create(user=staff, name="backup codes", confirmed=True)
    [code] = backup_codes_issue(device, 1)
    return code


def log_in(client: Client, password: str = PASSWORD, otp_token: str | None = None, **extra):
    data = {"username": "staff", "password": password, "next": INDEX}
    if otp_token is not None:
        data["otp_token"] = otp_token
    return client.post(LOGIN, data, **extra)


def is_in(client: Client) -> bool:
    return client.get(INDEX).status_code == 200


def test_it_asks_for_username_password_and_one_time_code():
    content = Client().get(LOGIN).content.decode()
    for name in ("username", "password", "otp_token"):
        assert f'name="{name}"' in content
    assert "auditsvc — medical-insurance partner audit" in content


def test_it_refuses_a_password_without_a_code(staff, totp_device):
    client = Client()
    response = log_in(client)
    assert response.status_code == 200
    assert "one-time code" in response.context["form"].non_field_errors()[0]
    assert not is_in(client)


def test_it_refuses_a_wrong_code_and_does_not_say_which_factor_failed(staff, totp_device):
    client = Client()
    wrong_code = log_in(
        client, otp_token="000000" if current_code(totp_device) != "000000" else "1"
    )
    wrong_password = log_in(client, password="wrong password", otp_token=current_code(totp_device))
    assert not is_in(client)
    assert (
        wrong_code.context["form"].non_field_errors()
        == wrong_password.context["form"].non_field_errors()
    )


def test_it_signs_in_with_a_valid_totp_code(staff, totp_device):
    client = Client()
    response = log_in(client, otp_token=current_code(totp_device))
    assert response.status_code == 302 and response["Location"] == INDEX
    assert client.session[DEVICE_ID_SESSION_KEY] == totp_device.persistent_id
    assert is_in(client)


def test_it_accepts_a_backup_code_once(staff, backup_code):
    client = Client()
    assert log_in(client, otp_token=backup_code).status_code == 302
    assert is_in(client)
    client.post("/admin/logout/")
    again = Client()
    assert log_in(again, otp_token=backup_code).status_code == 200
    assert not is_in(again)


def test_it_keeps_out_a_session_that_skipped_the_second_factor(staff):
    client = Client()
    client.force_login(staff, backend=MODEL_BACKEND)
    response = client.get(INDEX)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_it_lets_local_development_switch_the_code_off(settings, staff):
    settings.AUDITSVC_REQUIRE_OTP = False
    client = Client()
    assert log_in(client).status_code == 302
    assert is_in(client)


# --- Changing a second factor needs the password and a current code (issue 7) ---------------

TWO_FACTOR = "/admin/two-factor/"


def change(client: Client, action: str, password: str = PASSWORD, code: str = ""):
    return client.post(TWO_FACTOR, {"action": action, "password": password, "otp_token": code})


def site_entries(kind: str) -> list[dict]:
    return [
        json.loads(entry.canonical)["body"]
        for entry in LedgerEntry.objects.filter(log_id="bureau", kind=kind).order_by("seq")
    ]


def wrong(device: TOTPDevice) -> str:
    return "000000" if current_code(device) != "000000" else "111111"


def test_it_enrols_an_authenticator_app_after_the_password_and_a_code(staff, totp_device):
    client = admin_client_for(staff)
    page = client.get(TWO_FACTOR)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]

    page = change(client, "add_totp", code=current_code(totp_device))
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    content = page.content.decode()
    # A QR code an HTML page draws: SVG elements without a namespace prefix.
    assert '<svg width="100%" height="100%"' in content and "<path" in content
    assert "svg:rect" not in content
    assert page.context["otpauth_url"].startswith("otpauth://totp/auditsvc%3Astaff?secret=")
    assert page.context["secret"] in page.context["otpauth_url"]
    assert not site_entries(SiteKind.AUTHENTICATOR_ADDED)  # not a second factor yet

    client.post(TWO_FACTOR, {"action": "confirm_totp", "device": device.pk, "token": wrong(device)})
    device.refresh_from_db()
    assert not device.confirmed

    device.throttle_reset()
    client.post(
        TWO_FACTOR, {"action": "confirm_totp", "device": device.pk, "token": current_code(device)}
    )
    device.refresh_from_db()
    assert device.confirmed
    # Once confirmed, its secret is not shown again.
    assert device.config_url not in client.get(TWO_FACTOR).content.decode()
    [entry] = site_entries(SiteKind.AUTHENTICATOR_ADDED)
    assert entry["user"] == "staff" and entry["user_id"] == staff.pk
    assert (entry["actor"], entry["actor_id"]) == ("staff", staff.pk)
    assert entry["authenticator"] == device.name and entry["device_id"] == device.pk
    assert device.key not in json.dumps(entry)


@pytest.mark.parametrize(
    "given", ["nothing", "no password", "wrong password", "no code", "wrong code"]
)
def test_a_live_session_alone_cannot_add_an_authenticator_or_renew_codes(
    staff, totp_device, backup_code, given
):
    # A stolen session must not become a second factor of its own.
    client = admin_client_for(staff)
    password, code = {
        "nothing": ("", ""),
        "no password": ("", current_code(totp_device)),
        "wrong password": ("not my password", current_code(totp_device)),
        "no code": (PASSWORD, ""),
        "wrong code": (PASSWORD, wrong(totp_device)),
    }[given]

    for action in ("add_totp", "new_backup_codes"):
        totp_device.throttle_reset()
        page = change(client, action, password, code)
        assert page.status_code == 200
        assert "enrolling" not in page.context and "new_backup_codes" not in page.context

    assert not TOTPDevice.objects.filter(user=staff, confirmed=False).exists()
    assert StaticToken.objects.filter(device__user=staff).count() == 1
    assert verify_second_factor(staff, backup_code) is not None, "the old code still works"
    assert LedgerEntry.objects.filter(log_id="bureau").count() == 0


def test_the_refusal_does_not_say_which_of_password_and_code_was_wrong(staff, totp_device):
    client = admin_client_for(staff)
    wrong_password = change(client, "add_totp", "not my password", current_code(totp_device))
    totp_device.throttle_reset()
    wrong_code = change(client, "add_totp", PASSWORD, wrong(totp_device))
    first = wrong_password.context["identity_form"].non_field_errors()
    assert first == wrong_code.context["identity_form"].non_field_errors()
    assert "identity_not_confirmed" in first[0]


def test_guessing_the_password_on_the_page_locks_the_account(staff, totp_device):
    client = admin_client_for(staff)
    for _ in range(4):
        assert change(client, "add_totp", "guess", current_code(totp_device)).status_code == 200
    assert change(client, "add_totp", "guess", current_code(totp_device)).status_code == 429
    # The right password does not help now, and the sign-in page is shut too.
    assert change(client, "add_totp", PASSWORD, current_code(totp_device)).status_code == 429
    assert not TOTPDevice.objects.filter(user=staff, confirmed=False).exists()


def test_it_refuses_the_code_that_was_just_used_to_sign_in(staff, totp_device):
    client = Client()
    code = current_code(totp_device)
    assert log_in(client, otp_token=code).status_code == 302
    page = change(client, "add_totp", PASSWORD, code)
    assert "enrolling" not in page.context


def test_an_enrolment_left_too_long_cannot_be_confirmed(staff, totp_device):
    client = admin_client_for(staff)
    change(client, "add_totp", code=current_code(totp_device))
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    TOTPDevice.objects.filter(pk=device.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=ENROLMENT_MINUTES + 1)
    )
    response = client.post(
        TWO_FACTOR,
        {"action": "confirm_totp", "device": device.pk, "token": current_code(device)},
        follow=True,
    )
    assert "enrolment_expired" in response.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed


def test_it_replaces_backup_codes_after_the_password_and_a_code_and_shows_them_once(
    staff, totp_device, backup_code
):
    client = admin_client_for(staff)
    page = change(client, "new_backup_codes", code=backup_code)  # a backup code, spent on it
    codes = page.context["new_backup_codes"]
    assert len(codes) == 5
    mine = StaticToken.objects.filter(device__user=staff, device__name="backup codes")
    assert mine.count() == 5
    assert not mine.filter(token__in=codes).exists(), "codes are kept only as keyed hashes"
    assert backup_code not in codes
    assert "no-store" in page["Cache-Control"]

    [entry] = site_entries(SiteKind.BACKUP_CODES_RENEWED)
    assert (entry["user"], entry["user_id"], entry["actor_id"]) == ("staff", staff.pk, staff.pk)
    assert (entry["codes"], entry["codes_replaced"]) == (5, 0)  # the old one was spent first
    for code in codes:
        assert code not in json.dumps(entry)


def test_a_copy_of_the_database_signs_nobody_in_with_a_backup_code(staff, totp_device):
    client = admin_client_for(staff)
    codes = change(client, "new_backup_codes", code=current_code(totp_device)).context[
        "new_backup_codes"
    ]

    assert scan_database(set(codes)) == []
    # What is kept is the code's keyed hash, which is not a code: typed, it is refused.
    kept = StaticToken.objects.filter(device__user=staff).values_list("token", flat=True)[0]
    assert log_in(Client(), otp_token=kept).status_code == 200
    StaticDevice.objects.filter(user=staff).update(throttling_failure_count=0)
    assert log_in(Client(), otp_token=codes[0].upper()).status_code == 302


def test_codes_kept_in_clear_before_hashing_still_work_once_the_migration_hashed_them(staff):
    # Site migration 0006 hashes the codes that earlier versions stored as typed.
    device = StaticDevice.objects.create(user=staff, name="backup codes", confirmed=True)
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code) for code in ("bk7x2m4q", "zz5a3ytp")
    )
    migration = importlib.import_module("auditsvc.site.migrations.0006_hash_backup_codes")

    migration.hash_codes(django_apps, None)
    once = sorted(StaticToken.objects.values_list("token", flat=True))
    migration.hash_codes(django_apps, None)  # may run again: hashes are not hashed twice

    assert sorted(StaticToken.objects.values_list("token", flat=True)) == once
    assert scan_database({"bk7x2m4q", "zz5a3ytp"}) == []
    assert verify_second_factor(staff, "ZZ5A 3YTP") == device  # typed as people type them
    assert verify_second_factor(staff, "bk7x2m4q") == device
    assert verify_second_factor(staff, "bk7x2m4q") is None  # each works once
