"""Admin clients signed in with a verified second factor.

``admin_client_for(user)`` signs a user in the way django-otp supports for
tests: ``force_login`` and then ``django_otp.login`` semantics, i.e. the
session holds the persistent id of one of the user's confirmed devices (the
OTP middleware re-checks that the device belongs to the user on every
request). The real login form is exercised in tests/auditsvc/site/test_two_factor.py.
"""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PASSWORD = "correct horse battery staple"


def verify_second_factor(client: Client, user) -> StaticDevice:
    """Mark the client's session as verified by a (confirmed) device of ``user``."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="test device", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def admin_client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    verify_second_factor(client, user)
    return client


def current_code(device: TOTPDevice) -> str:
    """What the user's authenticator app shows right now."""
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def sign_in_through_the_form(page, user, device: TOTPDevice, *, password: str = PASSWORD) -> None:
    """Sign ``user`` in on the real admin login page, in a browser ``page``."""
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", user.get_username())
    page.fill("#id_password", password)
    page.fill("#id_otp_token", current_code(device))
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
