"""Fixtures of the ingestion tests (personas are in tests/conftest.py)."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.core.cache import cache

from .support import SESSIONS_URL, post, session_body


def pytest_ignore_collect(collection_path, config) -> bool | None:
    """Leave the Schemathesis module out when slow tests are deselected (-m "not slow").

    Schemathesis builds its tests while collecting (about 10 seconds), and
    every test of that module is slow: a quick loop would pay for nothing.
    """
    if collection_path.name != "test_schemathesis.py":
        return None
    markexpr = config.getoption("markexpr", "") or ""
    if not markexpr:
        return None
    from _pytest.mark.expression import Expression

    selects_slow = Expression.compile(markexpr).evaluate(lambda name, **kwargs: name == "slow")
    return True if not selects_slow else None


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
