"""Tests that need a real service: PostgreSQL, Redis, a Celery worker, a browser.

Each skips with a reason that starts with ``needs `` where the service is
missing (a bare ``make test`` on SQLite). CI sets ``AUDITSVC_REQUIRE_SERVICES=1``
and tests/conftest.py then turns every such skip into a failure: a green CI
run has exercised every real service.
"""

from __future__ import annotations

import os
import shutil

import pytest
from django.conf import settings

#: Skip reasons of this form mean "a real service is missing".
PREFIX = "needs "


def required() -> bool:
    """Whether a missing service fails the run instead of skipping (CI)."""
    return os.environ.get("AUDITSVC_REQUIRE_SERVICES", "") == "1"


def is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def has_redis() -> bool:
    return bool(os.environ.get("REDIS_URL"))


def postgres(why: str) -> pytest.MarkDecorator:
    """Skip unless the test database is PostgreSQL (``why``: what this test needs it for)."""
    return pytest.mark.skipif(not is_postgres(), reason=f"{PREFIX}PostgreSQL: {why}")


def redis(why: str) -> pytest.MarkDecorator:
    """Skip unless REDIS_URL names a Redis server."""
    return pytest.mark.skipif(not has_redis(), reason=f"{PREFIX}Redis (set REDIS_URL): {why}")


def program(name: str, why: str) -> pytest.MarkDecorator:
    """Skip unless the program ``name`` is installed."""
    return pytest.mark.skipif(shutil.which(name) is None, reason=f"{PREFIX}{name}: {why}")
