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
from django_otp.plugins.otp_static.models import StaticDevice

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
