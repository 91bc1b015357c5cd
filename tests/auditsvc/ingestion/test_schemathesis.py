"""Schemathesis fuzzes the API from its own OpenAPI schema (issue 8, item 6).

Every operation of ``/api/schema/`` gets generated requests, valid ones and
ones that break the schema, against the real application (in process, on
the test database) with real keys: a live partner key, an account
platform's key, an auditor's token. Valid bodies carry identity numbers
that pass the checksum and times inside the accepted window, so that they
reach the recording code rather than stopping at validation; invalid ones
are left as generated. Nothing may answer 5xx, and every answer must match
the schema (status, content type, headers, body); a request that breaks the
schema must be refused.

Seeded and bounded: the same examples every run, a few dozen per operation.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from auditsvc.ingestion.validation import limits
from tests import factories

from .support import SESSIONS_URL, post, session_body

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
EXAMPLES = 30

pytestmark = pytest.mark.slow


def _digest(value: object) -> bytes:
    return hashlib.sha256(repr(value).encode()).digest()


def valid_resident_id(seed_value: object) -> str:
    """A number that passes the checksum, chosen by what was generated (so still varied)."""
    digest = _digest(seed_value)
    born = dt.date(1930, 1, 1) + dt.timedelta(days=digest[0] * 97 + digest[1])
    return factories.make_resident_id("411381", born, digest[2] % 999 + 1)


def recent(seed_value: object, now: dt.datetime) -> str:
    digest = _digest(seed_value)
    moment = now - dt.timedelta(seconds=digest[3] * 60 + digest[4])
    offset = dt.timezone(dt.timedelta(hours=(digest[5] % 27) - 12))
    return moment.astimezone(offset).isoformat()


_RESIDENT_ID = re.compile(limits.RESIDENT_ID_PATTERN)
_TIME = re.compile(limits.DATETIME_PATTERN)
_CLIENT_ID = re.compile(limits.CLIENT_ID_PATTERN)


def make_valid(record: dict, now: dt.datetime, session_id: str | None, call: int) -> None:
    """Repair what the schema allows but the server refuses: check characters, times.

    Only values that already match their pattern are replaced, so a request
    that breaks the schema still breaks it (and must still be refused). One
    generated time in four is kept as generated, so times the schema allows
    (year 9999, offsets of 23:59) still reach the server. Client ids get the
    number of the call: generated requests reuse a handful of ids, and a 409
    conflict would hide whether the server refused what the schema forbids
    (copies within one request keep their equal ids).
    """
    for key in ("client_event_id", "client_session_id"):
        value = record.get(key)
        if isinstance(value, str) and _CLIENT_ID.fullmatch(value):
            record[key] = f"{value[:88]}~{call}"
    for key in ("resident", "holder"):
        identity = record.get(key)
        value = identity.get("value") if isinstance(identity, dict) else None
        if isinstance(value, str) and _RESIDENT_ID.fullmatch(value):
            identity["value"] = valid_resident_id(value)
    for key in ("occurred_at", "opened_at", "closed_at"):
        value = record.get(key)
        if isinstance(value, str) and _TIME.fullmatch(value) and _digest(value)[6] % 4:
            record[key] = recent(value, now)
    if isinstance(record.get("session"), str) and _digest(record["session"])[7] % 2:
        record["session"] = session_id


@contextlib.contextmanager
def keeping_the_test_connection():
    """Requests through the WSGI app must not close the test's connection (and transaction).

    Django closes old connections when a request starts and finishes; its test
    client disconnects those receivers while it runs (and connects them again
    after each request), and so must a test that calls the WSGI application
    directly.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# Loaded when the module is collected, as /api/schema/ serves it (no request needed).
# schemathesis.pytest.from_fixture would load it per test, but its lazy loader sets
# Node._nodeid, which pytest 9 no longer has: the eager loader works with pytest 9.
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()

# What the hook needs of the running test: set by the test's fixture.
_running: dict = {}


def repair(case) -> None:
    """Bodies get checksummed numbers, recent times and a real session (see make_valid).

    Done just before the call, not in a generation hook: the coverage phase's
    cases are built when the module is collected, before any test runs.
    """
    now, session_id, log_id = _running["now"], _running["session_id"], _running["log_id"]
    call = _running["calls"] = _running.get("calls", 0) + 1
    if isinstance(case.body, dict):
        if isinstance(case.body.get("events"), list):
            for record in case.body["events"]:
                if isinstance(record, dict):
                    make_valid(record, now, session_id, call)
        else:
            make_valid(case.body, now, session_id, call)
    path = case.meta.components.get(ParameterLocation.PATH) if case.meta else None
    if path is not None and not path.mode.is_negative:
        if "session_id" in case.path_parameters:
            case.path_parameters["session_id"] = session_id
        if "log_id" in case.path_parameters:
            case.path_parameters["log_id"] = log_id


@schema.hook
def after_call(context, case, response):
    _running.setdefault("statuses", []).append(response.status_code)


# Operations whose generated requests must get through to the recording code.
RECORDING = ("/sessions]", "/close]", "/access-events]", "/account-events]")


@pytest.fixture
def running(request, db, relaxed_throttle, vetted_partner, partner_client, now):
    """A vetted partner with an open session; requests go through the WSGI application.

    Afterwards: the operations that record were answered 201 at least once
    (generated requests reached the recording code, not only validation).
    """
    opened = post(partner_client, SESSIONS_URL, session_body(now - dt.timedelta(hours=1)))
    assert opened.status_code == 201
    _running.update(now=now, session_id=opened.json()["id"], log_id=vetted_partner.code)
    with keeping_the_test_connection():
        yield
    statuses = _running.get("statuses", [])
    _running.clear()
    if request.node.name.endswith(RECORDING):
        assert 201 in statuses, f"no generated request was recorded: {sorted(set(statuses))}"


@pytest.fixture
def keys(vetted_partner, account_platform, auditor) -> dict[str, str]:
    return {
        "partner": factories.issue_partner_key(vetted_partner),
        "platform": factories.issue_partner_key(account_platform),
        "auditor": factories.issue_test_token(auditor),
    }


def credential_for(path: str, keys: dict[str, str]) -> dict[str, str]:
    if path.startswith("/api/v1/account-events"):
        key = keys["platform"]
    elif path.startswith(("/api/v1/receipts", "/api/v1/exports")):
        key = keys["auditor"]
    elif path.startswith(("/api/v1/sessions", "/api/v1/access-events")):
        key = keys["partner"]
    else:
        return {}  # the public endpoints take no credential
    return {"Authorization": f"Bearer {key}"}


@schema.parametrize()
@seed(20261203)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_schema_says(case, running, keys):
    repair(case)
    case.call_and_validate(headers=credential_for(case.path, keys), checks=CHECKS)
