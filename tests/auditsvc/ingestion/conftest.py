"""Fixtures of the ingestion tests (personas are in tests/conftest.py)."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from .support import SESSIONS_URL, post, session_body


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """Throttle counters are per credential id; ids repeat across tests on SQLite."""
    with contextlib.suppress(Exception):  # a test may point the cache at a dead Redis
        cache.clear()


@pytest.fixture
def open_session(partner_client, now):
    """Open a session for the vetted partner; returns the response body."""

    def open_(**overrides) -> dict:
        body = session_body(now - dt.timedelta(minutes=10), **overrides)
        response = post(partner_client, SESSIONS_URL, body)
        assert response.status_code == 201, response.content
        return response.json()

    return open_


@pytest.fixture
def admin_client_for(db):
    """A Django test client signed in as ``user`` with a verified second factor.

    As django-otp supports for tests: ``force_login``, then the session names
    one of the user's confirmed devices (the real sign-in form is tested in
    tests/partners/admin/test_two_factor.py).
    """

    def sign_in(user) -> Client:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name="test device", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return sign_in
