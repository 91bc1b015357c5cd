"""Five failed sign-ins lock the account (django-axes), from one address or from many."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.admin_clients import PASSWORD, current_code

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


WRONG_PASSWORD = "wrong password"


def attempt(client: Client, username: str = "staff", password: str = WRONG_PASSWORD, token=""):
    return client.post(
        LOGIN, {"username": username, "password": password, "otp_token": token, "next": "/admin/"}
    )


@pytest.fixture
def device(staff) -> TOTPDevice:
    return TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)


def test_it_locks_the_account_after_five_failures_and_says_so(staff, device):
    client = Client()
    for _ in range(4):
        assert attempt(client).status_code == 200
    locked = attempt(client)
    assert locked.status_code == 429
    assert "axes/lockout.html" in [t.name for t in locked.templates]
    content = locked.content.decode()
    assert "Account locked" in content and "staff" in content

    # Even the right password and code are refused now.
    response = attempt(client, password=PASSWORD, token=current_code(device))
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302


def test_it_counts_wrong_codes_as_failures(staff, device):
    client = Client()
    wrong = "000000" if current_code(device) != "000000" else "111111"
    for _ in range(4):
        device.throttle_reset()
        assert attempt(client, password=PASSWORD, token=wrong).status_code == 200
    device.throttle_reset()
    assert attempt(client, password=PASSWORD, token=wrong).status_code == 429


def test_it_locks_one_username_not_everyone_at_the_same_address(staff, second_staff, device):
    client = Client()
    for _ in range(5):
        attempt(client)
    other_device = TOTPDevice.objects.create(user=second_staff, name="phone", confirmed=True)
    response = attempt(client, "staff2", PASSWORD, current_code(other_device))
    assert response.status_code == 302


def test_it_locks_a_username_after_failures_from_many_addresses(staff, device):
    # Someone guessing from a different address each time is counted all the same.
    for n in range(4):
        assert attempt(Client(REMOTE_ADDR=f"198.51.100.{n}")).status_code == 200
    assert attempt(Client(REMOTE_ADDR="198.51.100.77")).status_code == 429

    # The account is shut from every address, with the right password and code too.
    owner = Client(REMOTE_ADDR="203.0.113.5")
    assert attempt(owner, password=PASSWORD, token=current_code(device)).status_code == 429
    assert owner.get("/admin/").status_code == 302
