"""Throttling per credential: 429 with Retry-After, counted atomically in the cache."""

from __future__ import annotations

import pytest

from auditsvc.ingestion.models import AccessEvent
from tests import factories
from tests.conftest import bearer_client

from .support import ACCESS_URL, access_event, post


@pytest.fixture
def three_a_day(settings):
    # Per day, so the test never straddles a window boundary.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"credential": "3/day", "anon": "2/day"},
    }


def test_it_answers_429_with_retry_after_once_a_key_is_over_its_rate(
    partner_client, three_a_day, now
):
    for n in range(3):
        assert (
            post(partner_client, ACCESS_URL, {"events": [access_event(now, n)]}).status_code == 201
        )

    response = post(partner_client, ACCESS_URL, {"events": [access_event(now, 3)]})

    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "throttled"
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 86400
    assert AccessEvent.objects.count() == 3  # the refused batch was not recorded


def test_it_counts_each_credential_separately(partner_client, vetted_partner, three_a_day, now):
    for n in range(3):
        post(partner_client, ACCESS_URL, {"events": [access_event(now, n)]})
    assert post(partner_client, ACCESS_URL, {"events": [access_event(now, 3)]}).status_code == 429

    second_key = bearer_client(factories.issue_partner_key(vetted_partner, label="second server"))
    response = post(second_key, ACCESS_URL, {"events": [access_event(now, 3)]})

    assert response.status_code == 201


def test_it_throttles_anonymous_callers_by_address(client, db, three_a_day):
    answers = [client.get("/api/v1/keys").status_code for _ in range(3)]

    assert answers[:2] == [200, 200]
    assert answers[2] == 429


def test_it_lets_requests_through_under_the_rate(partner_client, now):
    for n in range(10):
        assert (
            post(partner_client, ACCESS_URL, {"events": [access_event(now, n)]}).status_code == 201
        )
