"""Test settings: only overrides of base.py."""

import os
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("AUDITSVC_PEPPER", "test-pepper-0123456789abcdef")
os.environ.setdefault("DJANGO_DEBUG", "0")

# Each pytest-xdist worker gets its own Redis database number, because
# cache.clear() empties a whole database.
_redis_url = os.environ.get("REDIS_URL", "")
if _redis_url:
    from urllib.parse import urlsplit, urlunsplit

    _worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    # Counted from the database number given (at least 1), so runs given different numbers
    # (e.g. several developers on one Redis) do not clear each other's cache.
    _base = max(1, int(urlsplit(_redis_url).path.strip("/") or 0))
    _db = _base + int(_worker.removeprefix("gw") or 0)
    os.environ["REDIS_URL"] = urlunsplit(urlsplit(_redis_url)._replace(path=f"/{_db}"))

from .base import *  # noqa: E402,F403
from .base import VAR_DIR  # noqa: E402

SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = VAR_DIR / "test-media"
AUDITSVC_KEY_DIR = VAR_DIR / "test-keys"
# A worker started by a test is given the test's own folder.
AUDITSVC_EXPORT_DIR = Path(os.environ.get("AUDITSVC_EXPORT_DIR") or VAR_DIR / "test-exports")
AXES_ENABLED = True
CELERY_TASK_ALWAYS_EAGER = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Tests share one client address (127.0.0.1) and many send wrong keys on purpose;
# tests of the failure throttle set their own rate.
AUDITSVC_THROTTLE_AUTH_FAILURES = "100000/min"
# Most tests read English pages; the Chinese ones set LANGUAGE_CODE = "zh-hans" themselves
# (tests/auditsvc/site/test_languages.py, tests/test_catalogue.py).
LANGUAGE_CODE = "en"
