"""Malformed input is a 400, and a fault of the service a problem+json 500 that reveals nothing."""

from __future__ import annotations

import logging

import pytest

from auditsvc.ingestion import services

from .support import ACCESS_URL, RESIDENT, access_event, post, problem_errors, records_count


@pytest.mark.parametrize("fields", [[{"a": 1}], [["name"]]])
def test_unhashable_fields_items_are_a_400_naming_the_item(partner_client, now, fields):
    body = {"events": [access_event(now, 1), access_event(now, 2, fields=fields)]}

    response = post(partner_client, ACCESS_URL, body)

    assert problem_errors(response) == {("events[1].fields[0]", "invalid_type")}
    assert records_count() == 0


@pytest.fixture
def failing_service(monkeypatch):
    """The access service fails with an unexpected error (a bug), after validation."""

    def fail(*args, **kwargs):
        raise RuntimeError("unexpected state in the service")

    monkeypatch.setattr(services, "access_events_record", fail)


def test_an_unhandled_error_is_a_problem_500_that_leaks_nothing(
    partner_client, now, failing_service, caplog
):
    partner_client.raise_request_exception = False  # answer as in production
    caplog.set_level(logging.DEBUG)

    response = post(partner_client, ACCESS_URL, {"events": [access_event(now)]})

    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "internal_error"
    assert body["status"] == 500
    text = response.content.decode()
    assert "unexpected state" not in text
    assert "RuntimeError" not in text
    assert "Traceback" not in text
    # Logged with its traceback, for the operators; never with the request body.
    [logged] = [r for r in caplog.records if r.name == "auditsvc.base.api.problems"]
    assert logged.levelno == logging.ERROR
    assert logged.exc_info is not None
    assert isinstance(logged.exc_info[1], RuntimeError)
    assert RESIDENT not in caplog.text
    assert RESIDENT[:17] not in caplog.text


def test_an_unhandled_error_still_reaches_the_test_client(partner_client, now, failing_service):
    # got_request_exception is sent as Django does: bugs are not hidden from tests
    # (nor from error reporters hooked on that signal).
    with pytest.raises(RuntimeError):
        post(partner_client, ACCESS_URL, {"events": [access_event(now)]})
