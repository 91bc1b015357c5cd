"""What every API answer is: problem+json under /api/, never cached, UTC times.

Issue 8, items 1-4, 7 and 8: extreme offsets, oversized bodies, huge error
lists, unmatched paths, unread charsets and encodings, cache headers, times.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from pathlib import Path

import pytest
from django.core.checks import run_checks
from rest_framework.test import APIClient

from auditsvc.ingestion.validation import limits
from tests.auditsvc.ingestion.support import (
    ACCESS_URL,
    ACCOUNT_URL,
    SESSIONS_URL,
    access_event,
    post,
    problem_errors,
    records_count,
    session_body,
)

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert (body["status"], body["code"]) == (status, code)
    assert body["type"].endswith("/" + code)
    return body


# --- 1. Extreme offsets ------------------------------------------------------------------


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"])
def test_a_time_beyond_the_calendar_in_utc_is_a_400_naming_the_field(partner_client, now, moment):
    partner_client.raise_request_exception = False

    access = post(partner_client, ACCESS_URL, {"events": [access_event(now, occurred_at=moment)]})
    session = post(partner_client, SESSIONS_URL, session_body(now, opened_at=moment))

    assert problem_errors(access) == {("events[0].occurred_at", "invalid_datetime")}
    assert problem_errors(session) == {("opened_at", "invalid_datetime")}


# --- 2. Oversized bodies -------------------------------------------------------------------


def test_a_body_over_the_limit_is_a_413_problem(partner_client, now, settings):
    partner_client.raise_request_exception = False
    body = json.dumps({"events": [access_event(now)], "padding": "x" * 3_000_000})
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, for a small body

    response = partner_client.generic("POST", ACCESS_URL, body, content_type="application/json")

    assert_problem(response, 413, "request_too_large")
    assert records_count() == 0


def test_every_valid_batch_fits_under_the_body_limit(settings):
    worst = limits.largest_batch_bytes()

    assert worst > 2_621_440  # over Django's default: the limit had to be raised
    assert worst <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert not [m for m in run_checks() if m.id == "auditsvc.E010"]


@pytest.mark.parametrize(
    ("client", "url", "worst"),
    [
        ("partner_client", ACCESS_URL, limits.worst_access_event),
        ("platform_client", ACCOUNT_URL, limits.worst_account_event),
    ],
)
def test_the_largest_valid_batch_is_recorded(request, now, relaxed_throttle, client, url, worst):
    api = request.getfixturevalue(client)
    events = []
    for n in range(limits.max_batch()):
        event = worst()
        event["client_event_id"] = str(n) + '"' * (limits.CLIENT_ID_MAX - len(str(n)))
        event["occurred_at"] = now.strftime("%Y-%m-%dT%H:%M:%S.123456789+00:00")
        if "session" in event:
            event["session"] = None
        events.append(event)
    body = json.dumps({"events": events}, indent=2)  # every non-ASCII character escaped
    assert len(body) > 2_621_440  # Django's default limit would have refused it

    response = api.generic("POST", url, body, content_type="application/json")

    assert response.status_code == 201, response.content[:500]
    assert len(response.json()["results"]) == limits.max_batch()


def test_the_partner_guide_gives_the_figures(settings):
    guide = (Path(__file__).resolve().parents[3] / "docs" / "partner-guide.md").read_text()

    assert f"{limits.largest_batch_bytes(1000):,} bytes" in guide
    assert f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes" in guide


def test_a_body_limit_below_the_largest_batch_fails_the_system_check(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

    assert [m.id for m in run_checks() if m.id.startswith("auditsvc.E010")] == ["auditsvc.E010"]


# --- 3. Error lists are capped --------------------------------------------------------------


def test_a_body_with_many_unknown_keys_gets_a_short_answer(partner_client, now):
    # The reproducer: 266,991 unknown keys once made a 44.8 MB answer.
    event = access_event(now)
    event.update({f"k{n}": 0 for n in range(266_991)})

    response = post(partner_client, ACCESS_URL, {"events": [event]})

    body = assert_problem(response, 400, "validation_error")
    assert len(body["errors"]) == 100
    assert body["error_count"] == 266_991
    assert "266991 field(s)" in body["detail"]
    assert len(response.content) < 30_000


# --- 4. Every path under /api/ answers problem+json ---------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/",
        "/api",
        "/api/v1/",
        "/api/v1/nothing",
        "/api/v2/sessions",
        "/api/v1/keys/",
        "/api/x/",
    ],
)
def test_an_unmatched_api_path_is_a_problem_404(path):
    response = APIClient().get(path)

    assert_problem(response, 404, "not_found")


def test_an_unmatched_api_path_is_a_problem_404_for_any_method(partner_client):
    response = partner_client.post("/api/v1/access-event", {}, format="json")

    assert_problem(response, 404, "not_found")


def test_a_wrong_method_is_a_problem_405(partner_client):
    response = partner_client.get(ACCESS_URL)

    assert_problem(response, 405, "method_not_allowed")


def test_an_unmatched_page_outside_the_api_stays_html(client):
    response = client.get("/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- 8. Charsets and encodings the server does not read; no caching ------------------------


@pytest.mark.parametrize("charset", ["latin-1", "utf-16", "iso-8859-1", "bz2_codec"])
def test_a_charset_other_than_utf8_is_refused(partner_client, now, charset):
    body = json.dumps({"events": [access_event(now)]})

    response = partner_client.generic(
        "POST", ACCESS_URL, body, content_type=f"application/json; charset={charset}"
    )

    assert_problem(response, 415, "unsupported_charset")
    assert records_count() == 0


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "utf8", '"utf-8"'])
def test_utf8_may_be_named(partner_client, now, charset):
    body = json.dumps({"events": [access_event(now)]})

    response = partner_client.generic(
        "POST", ACCESS_URL, body, content_type=f"application/json; charset={charset}"
    )

    assert response.status_code == 201, response.content


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_a_content_encoding_is_refused(partner_client, now, encoding):
    body = gzip.compress(json.dumps({"events": [access_event(now)]}).encode())

    response = partner_client.generic(
        "POST", ACCESS_URL, body, content_type="application/json", HTTP_CONTENT_ENCODING=encoding
    )

    assert_problem(response, 415, "unsupported_content_encoding")
    assert records_count() == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", ACCESS_URL),
        ("get", "/api/v1/keys"),
        ("get", "/api/v1/nothing"),
        ("get", "/api/schema/"),
        ("get", "/api/v1/logs/P0001/checkpoint"),
    ],
)
def test_api_answers_are_never_cached(partner_client, now, method, path):
    if method == "post":
        response = post(partner_client, path, {"events": [access_event(now)]})
    else:
        response = partner_client.get(path)

    assert response["Cache-Control"] == "no-store"


def test_a_refused_request_is_not_cached_either(now):
    response = post(APIClient(), ACCESS_URL, {"events": [access_event(now)]})

    assert response.status_code == 401
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/", "/api/schema/", "/admin/login/"])
def test_every_page_carries_a_content_security_policy(client, path):
    response = client.get(path)

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in policy


# --- 7. Times in answers: UTC with Z ----------------------------------------------------------

UTC_Z = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


def test_the_published_keys_give_their_times_in_utc_with_z(signing_key):
    from auditsvc.ledger.models import PublishedKey

    PublishedKey.objects.filter(key_id=signing_key.key_id).update(
        retired_at=dt.datetime(2030, 1, 1, 4, tzinfo=dt.UTC)
    )

    [key] = APIClient().get("/api/v1/keys").json()["keys"]

    assert UTC_Z.fullmatch(key["valid_from"]), key["valid_from"]
    assert key["valid_from"] == "2020-01-01T00:00:00.000000Z"
    assert key["retired_at"] == "2030-01-01T04:00:00.000000Z"


def test_a_closed_session_answers_its_time_in_utc_with_z(partner_client, now):
    opened = post(partner_client, SESSIONS_URL, session_body(now - dt.timedelta(minutes=5))).json()

    closed = post(
        partner_client,
        f"{SESSIONS_URL}/{opened['id']}/close",
        {
            "closed_at": now.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat(),
            "outcome": "completed",
        },
    ).json()

    assert UTC_Z.fullmatch(closed["closed_at"])


def test_django_error_pages_are_problems_under_api_and_pages_elsewhere(rf):
    from django.core.exceptions import RequestDataTooBig, SuspiciousOperation

    from auditsvc.base.api import problems

    api, page = rf.post("/api/v1/access-events"), rf.post("/admin/login/")

    assert problems.api_or_page_500(api)["Content-Type"] == PROBLEM
    assert json.loads(problems.api_or_page_500(api).content)["code"] == "internal_error"
    too_big = problems.api_or_page_400(api, RequestDataTooBig("x"))
    assert (too_big.status_code, json.loads(too_big.content)["code"]) == (413, "request_too_large")
    assert problems.api_or_page_400(api, SuspiciousOperation("x")).status_code == 400
    assert problems.api_or_page_404(api, Exception())["Content-Type"] == PROBLEM
    for answer in (
        problems.api_or_page_500(page),
        problems.api_or_page_400(page, SuspiciousOperation("x")),
        problems.api_or_page_404(page, Exception()),
    ):
        assert answer["Content-Type"].startswith("text/html")
