"""Signing in to the admin takes a password and a one-time code; staff enrol their own apps."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.admin_clients import MODEL_BACKEND, PASSWORD, admin_client_for, current_code

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
INDEX = "/admin/"


@pytest.fixture
def totp_device(staff) -> TOTPDevice:
    return TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)


@pytest.fixture
def backup_code(staff) -> str:
    device = StaticDevice.objects.create(user=staff, name="backup codes", confirmed=True)
    return StaticToken.objects.create(device=device, token="bk7x2m4q").token


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


def test_it_enrols_an_authenticator_app_from_the_two_factor_page(staff):
    client = admin_client_for(staff)
    page = client.get(reverse("admin:two_factor"))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]

    page = client.post(reverse("admin:two_factor"), {"action": "add_totp"})
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    content = page.content.decode()
    assert "<svg" in content
    assert page.context["otpauth_url"].startswith("otpauth://totp/auditsvc%3Astaff?secret=")
    assert page.context["secret"] in page.context["otpauth_url"]

    wrong = "000000" if current_code(device) != "000000" else "111111"
    client.post(
        reverse("admin:two_factor"), {"action": "confirm_totp", "device": device.pk, "token": wrong}
    )
    device.refresh_from_db()
    assert not device.confirmed

    device.throttle_reset()
    client.post(
        reverse("admin:two_factor"),
        {"action": "confirm_totp", "device": device.pk, "token": current_code(device)},
    )
    device.refresh_from_db()
    assert device.confirmed
    # Once confirmed, its secret is not shown again.
    assert device.config_url not in client.get(reverse("admin:two_factor")).content.decode()


def test_it_replaces_backup_codes_and_shows_them_once(staff, backup_code):
    client = admin_client_for(staff)
    page = client.post(reverse("admin:two_factor"), {"action": "new_backup_codes"})
    codes = page.context["new_backup_codes"]
    assert len(codes) == 5
    mine = StaticToken.objects.filter(device__user=staff, device__name="backup codes")
    assert sorted(mine.values_list("token", flat=True)) == sorted(codes)
    assert backup_code not in codes
