"""A real Celery worker writes a large export asked for through the API (PostgreSQL and Redis).

The worker is a separate process on this run's test database and Redis
broker, with the same export folder, so the test covers what production
runs: the task's name, the commit before the task is sent, the progress
and the file the web process then hands over.
"""

from __future__ import annotations

import io
import os
import time

import pytest
from django.conf import settings

from auditsvc.exports.bundles import BundleSnapshot, write_bundle
from auditsvc.exports.models import Export
from tests import needs
from tests.auditsvc.ledger.support import database_url_for_tests, requires_postgres
from tests.servers import celery_worker

from .support import at, fill_log

pytestmark = pytest.mark.slow


requires_redis = needs.redis("the Celery broker of a real worker")


@pytest.fixture
def worker(transactional_db, signing_key, export_dir, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for_tests(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "AUDITSVC_SIGNING_KEY": signing_key.private_string(),
        "AUDITSVC_EXPORT_DIR": str(export_dir),
    }
    log_path = tmp_path / "worker.log"
    with celery_worker(env, log_path) as process:
        yield process, log_path


@pytest.mark.worker
@pytest.mark.redis
@requires_postgres
@requires_redis
def test_a_real_worker_writes_an_export_asked_for_through_the_api(
    roles_after_flush, worker, auditor_client, auditor, settings
):
    settings.AUDITSVC_EXPORT_INLINE_MAX_ENTRIES = 2  # this one goes to the worker
    process, log_path = worker
    fill_log("P0042", list(range(0, 40, 3)))

    response = auditor_client.post(
        "/api/v1/exports",
        {"log": "P0042", "from": "2026-03-01T08:10:00Z", "to": "2026-03-01T08:30:00Z"},
        format="json",
    )
    assert response.status_code == 202 and response.json()["status"] == "queued"
    export_id = response.json()["id"]

    deadline = time.monotonic() + 90
    while (status := auditor_client.get(f"/api/v1/exports/{export_id}").json())["status"] in (
        "queued",
        "running",
    ):
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(
                f"export not done after 90 s (worker exit code {process.poll()}):\n"
                + log_path.read_text(errors="replace")[-4000:]
            )
        time.sleep(0.5)

    assert status["status"] == "done", status
    download = auditor_client.get(status["download"])
    data = b"".join(download.streaming_content)
    export = Export.objects.get(pk=export_id)
    expected = io.BytesIO()
    write_bundle(
        "P0042",
        at(10),
        at(30),
        requested_by=auditor,
        out=expected,
        snapshot=BundleSnapshot(export.tree_size, export.created_at, export.key_id),
    )
    assert data == expected.getvalue()
    assert export.entry_count == 6  # minutes 12, 15, ..., 27
