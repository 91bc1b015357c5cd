"""Failed authentications are throttled per client address, before any database lookup.

Counted atomically in the cache (Redis in production, local memory on the
embedded default; both are tried), failing open when Redis is down.
"""

from __future__ import annotations

import socket

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from auditsvc.ledger.services import ledger_append
from tests import factories, needs

pytestmark = pytest.mark.django_db

WRONG_KEY = "ask_" + "x" * 43
WRONG_TOKEN = "ast_" + "y" * 43
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(params=["locmem", "redis"])
def three_failures_a_day(request, settings):
    if request.param == "locmem":
        settings.CACHES = LOCMEM
    elif not needs.has_redis():
        pytest.skip(f"{needs.PREFIX}Redis (set REDIS_URL): the production counter")
    # Per day, so the test never straddles a window boundary.
    settings.AUDITSVC_THROTTLE_AUTH_FAILURES = "3/day"
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"credential": "100000/min", "anon": "100000/min"},
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def get(vetted_partner):
    """get(key, address) -> response: asks for a receipt of the partner's own log."""
    seq = ledger_append(vetted_partner.log_id, "session.opened", {"note": "test entry"}).seq
    url = f"/api/v1/receipts/{vetted_partner.log_id}/{seq}"

    def request(key: str | None, address: str = "203.0.113.7"):
        client = APIClient()
        if key is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        # One proxy in front (NUM_PROXIES=1 with debug off): it appends the address it saw.
        return client.get(url, HTTP_X_FORWARDED_FOR=address)

    return request


@pytest.mark.parametrize("wrong", [WRONG_KEY, WRONG_TOKEN, "no-prefix-at-all"])
def test_an_address_that_keeps_failing_gets_429_before_any_lookup(
    three_failures_a_day, vetted_partner, wrong, django_assert_num_queries, get
):
    key = factories.issue_partner_key(vetted_partner)
    assert [get(wrong).status_code for _ in range(3)] == [401, 401, 401]

    with django_assert_num_queries(0):
        refused = get(wrong)
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 86400

    # Even a good key is refused from there for now, without a lookup.
    with django_assert_num_queries(0):
        assert get(key).status_code == 429


def test_other_addresses_and_good_keys_are_not_counted(three_failures_a_day, vetted_partner, get):
    key = factories.issue_partner_key(vetted_partner)
    for _ in range(10):
        assert get(key).status_code == 200  # successes never count
    for _ in range(3):
        get(WRONG_KEY, address="198.51.100.1")
    assert get(WRONG_KEY, address="198.51.100.1").status_code == 429
    assert get(key, address="198.51.100.2").status_code == 200
    assert get(WRONG_KEY, address="198.51.100.2").status_code == 401


def test_a_caller_cannot_escape_the_count_with_its_own_forwarded_for(three_failures_a_day, db, get):
    # The proxy appends the address it saw (203.0.113.9); the caller made up the rest.
    answers = [get(WRONG_KEY, address=f"192.0.2.{n}, 203.0.113.9").status_code for n in range(5)]
    assert answers == [401, 401, 401, 429, 429]


def test_requests_without_a_key_are_not_failures(three_failures_a_day, db, get):
    for _ in range(5):
        assert get(None).status_code == 401  # no key: refused, but not a failed key
    assert get(WRONG_KEY).status_code == 401


def test_it_fails_open_when_redis_is_down(settings, vetted_partner, get):
    with socket.socket() as sock:  # a port where nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.AUDITSVC_THROTTLE_AUTH_FAILURES = "1/day"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    key = factories.issue_partner_key(vetted_partner)

    assert [get(WRONG_KEY).status_code for _ in range(3)] == [401, 401, 401]
    assert get(key).status_code == 200
