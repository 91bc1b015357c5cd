"""The anonymous throttle counts the client address a trusted proxy saw, not one it was told."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

KEYS_URL = "/api/v1/keys"


@pytest.fixture
def two_per_day(settings):
    cache.clear()
    # NUM_PROXIES stays as configured: one proxy by default with debug off.
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "anon": "2/day"}
    settings.REST_FRAMEWORK = rest
    api_settings.reload()
    yield
    cache.clear()
    api_settings.reload()


def test_it_ignores_addresses_a_caller_adds_to_x_forwarded_for(two_per_day):
    client = APIClient()
    # The proxy appends the address it saw (203.0.113.9); the caller made up the rest.
    answers = [
        client.get(KEYS_URL, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.9").status_code
        for n in range(4)
    ]
    assert answers == [200, 200, 429, 429]


def test_it_counts_two_clients_behind_the_proxy_apart(two_per_day):
    client = APIClient()
    first = [client.get(KEYS_URL, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code for _ in range(3)]
    second = client.get(KEYS_URL, HTTP_X_FORWARDED_FOR="203.0.113.10").status_code
    assert first == [200, 200, 429]
    assert second == 200
