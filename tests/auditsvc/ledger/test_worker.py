"""A real Celery worker signs checkpoints sent with .delay() (PostgreSQL and Redis only).

The worker is a separate process with its own Django, pointed at this run's
test database and Redis broker, so the test covers what production runs:
task discovery through auditsvc.tasks, the task's name, serialisation,
and the worker reaching the database.
"""

from __future__ import annotations

import os
import time

import pytest
from django.conf import settings

from tests import needs
from tests.servers import celery_worker

from .support import database_url_for_tests, requires_postgres

# Starts processes (servers, a worker, clients): left out of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow


requires_redis = needs.redis("the Celery broker of a real worker")


@pytest.fixture
def worker(transactional_db, signing_key, tmp_path):
    """A Celery worker process on the test database; terminated afterwards."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for_tests(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "AUDITSVC_SIGNING_KEY": signing_key.private_string(),
    }
    log_path = tmp_path / "worker.log"
    with celery_worker(env, log_path) as process:
        yield process, log_path


@pytest.mark.worker
@requires_postgres
@requires_redis
def test_a_real_worker_signs_the_checkpoints_it_is_sent(worker, append):
    from auditsvc.ledger.keys import entry_signing_key
    from auditsvc.ledger.models import SignedCheckpoint
    from auditsvc.ledger.tasks import sign_checkpoints

    process, log_path = worker
    entry_signing_key()
    append("W0001", 5)

    sign_checkpoints.delay()

    deadline = time.monotonic() + 60
    while not SignedCheckpoint.objects.filter(log_id="W0001").exists():
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(
                f"no checkpoint after 60 s (worker exit code {process.poll()}):\n"
                + log_path.read_text(errors="replace")[-4000:]
            )
        time.sleep(0.5)
    checkpoint = SignedCheckpoint.objects.get(log_id="W0001")
    assert checkpoint.size == 5
