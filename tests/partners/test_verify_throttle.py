"""The public check's throttle: only failed look-ups count, per client address, atomically.

A lister tries many numbers or credit codes from one address and is stopped;
a village behind one carrier address checks many real letters and never is.
"""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from partners.letters_public import FailedLookups
from partners.services.letters import letter_issue
from tests import factories, needs

pytestmark = pytest.mark.django_db

LIMIT = 5
# The test proxy's address: with one trusted proxy (the default when debug is off) the
# throttle counts the address the proxy appended to X-Forwarded-For.
VILLAGE = "203.0.113.9"
ELSEWHERE = "198.51.100.77"


@pytest.fixture(autouse=True)
def five_failures_a_day(settings):
    # Per day, so that a test never straddles a window boundary.
    settings.AUDITSVC_VERIFY_FAILED_LOOKUPS = f"{LIMIT}/day"
    cache.clear()
    yield
    with contextlib.suppress(Exception):  # one test points the cache at nothing
        cache.clear()


@pytest.fixture
def letter(vetted_partner, approver):
    return letter_issue(vetted_partner.authorisations.get(), actor=approver)


def get(url: str, address: str = VILLAGE):
    return Client().get(url, HTTP_X_FORWARDED_FOR=address)


def unknown_number(n: int) -> str:
    return f"ZZZZ-ZZZZ-ZZZZ-{n:04d}"


def test_it_stops_a_run_of_unknown_numbers_from_one_address(letter):
    answers = [get(f"/verify/letters/{unknown_number(n)}").status_code for n in range(LIMIT + 3)]

    assert answers == [404] * LIMIT + [429] * 3
    refused = get(f"/verify/letters/{unknown_number(99)}")
    assert 0 < int(refused["Retry-After"]) <= 86400
    assert b"TRY AGAIN LATER" in refused.content
    # Another address is not affected.
    assert get(f"/verify/letters/{unknown_number(100)}", ELSEWHERE).status_code == 404


def test_it_stops_a_run_of_credit_codes_and_then_answers_no_search_at_all(letter, vetted_partner):
    codes = [factories.make_uscc(seed=50_000 + n) for n in range(LIMIT + 1)]
    answers = [get(f"/verify/?uscc={code}").status_code for code in codes]
    assert answers == [200] * LIMIT + [429]

    # Past the allowance even an authorised company's code gets no answer: a refusal
    # that depended on the answer would tell the lister what it wants to know.
    response = get(f"/verify/?uscc={vetted_partner.uscc}")
    assert response.status_code == 429
    assert b'data-state="throttled"' in response.content
    assert vetted_partner.legal_name.encode() not in response.content


def test_many_successful_look_ups_from_one_address_are_never_counted(letter, vetted_partner):
    for _ in range(10 * LIMIT):
        assert get(f"/verify/letters/{letter.number}").status_code == 200
        assert get(f"/verify/?uscc={vetted_partner.uscc}").status_code == 200
        assert get(f"/verify/letters/{letter.number}.json").status_code == 200

    # The allowance for failures is untouched.
    answers = [get(f"/verify/letters/{unknown_number(n)}").status_code for n in range(LIMIT)]
    assert answers == [404] * LIMIT


def test_a_village_past_its_allowance_can_still_check_the_letter_in_front_of_it(letter):
    for n in range(LIMIT + 2):
        get(f"/verify/letters/{unknown_number(n)}")

    # 80-bit numbers cannot be listed, so answering a real one gives a lister nothing.
    response = get(f"/verify/letters/{letter.number}")
    assert response.status_code == 200
    assert b'data-status="valid"' in response.content


def test_malformed_input_is_not_counted(letter):
    for n in range(3 * LIMIT):
        assert get(f"/verify/letters/not-a-number-{n}").status_code == 404
        assert get(f"/verify/?uscc=NOT-A-CODE-{n}").status_code == 200
    assert get(f"/verify/letters/{unknown_number(1)}").status_code == 404


def test_the_json_download_counts_its_failures_too(letter):
    answers = [
        get(f"/verify/letters/{unknown_number(n)}.json").status_code for n in range(LIMIT + 1)
    ]
    assert answers == [404] * LIMIT + [429]
    assert get(f"/verify/letters/{unknown_number(77)}").status_code == 429


def test_a_caller_cannot_escape_by_inventing_forwarded_addresses(letter):
    answers = [
        get(f"/verify/letters/{unknown_number(n)}", f"10.0.0.{n}, {VILLAGE}").status_code
        for n in range(LIMIT + 1)
    ]
    assert answers[-1] == 429


@needs.redis("the failed look-ups are counted by Redis' atomic INCR")
def test_concurrent_failures_never_get_more_answers_than_the_allowance(settings):
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()
    request = RequestFactory().get("/verify/letters/x", HTTP_X_FORWARDED_FOR=VILLAGE)
    refused = []
    start = threading.Barrier(20)

    def fail_once():
        lookups = FailedLookups(request)
        start.wait()
        refused.append(lookups.record())

    threads = [threading.Thread(target=fail_once) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert refused.count(False) == LIMIT
    assert refused.count(True) == 20 - LIMIT


def test_it_fails_open_when_the_cache_is_unreachable(settings, letter):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    answers = [get(f"/verify/letters/{unknown_number(n)}").status_code for n in range(LIMIT + 2)]
    # Unthrottled, never locked out: the page keeps answering.
    assert answers == [404] * (LIMIT + 2)
    assert get(f"/verify/letters/{letter.number}").status_code == 200
