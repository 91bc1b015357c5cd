"""A real Celery worker and beat, against Redis, turn a record into an alert (PostgreSQL only).

Beat (django-celery-beat's database scheduler, as in production) sends the
dispatcher every second here (DETECTION_SCHEDULE_SECONDS=1); the dispatcher
sends a task per rule and partner log; the worker runs them. Nothing is
called directly: the alert appears because the schedule, the task names,
autodiscovery and the broker all work.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests import needs
from tests.auditsvc.ledger.support import database_url_for_tests, requires_postgres
from tests.conftest import restore_roles

from .conftest import build_partner
from .support import local, read_many

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[3]
CELERY = Path(sys.executable).parent / "celery"


def _start(args: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [str(CELERY), "-A", "config", *args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def worker_and_beat(transactional_db, signing_key, tmp_path):
    restore_roles()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for_tests(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "AUDITSVC_SIGNING_KEY": signing_key.private_string(),
        "DETECTION_SCHEDULE_SECONDS": "1",
    }
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    worker = _start(
        [
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        env,
        worker_log,
    )
    beat = _start(["beat", "--loglevel=INFO", "--max-interval=1"], env, beat_log)
    try:
        yield [(worker, worker_log), (beat, beat_log)]
    finally:
        _stop(beat)
        _stop(worker)


@requires_postgres
@needs.redis("the Celery broker of a real worker and beat")
def test_beat_and_a_worker_raise_an_alert_for_evening_reads(worker_and_beat, yesterday):
    from auditsvc.detection.models import Alert

    partner = build_partner()
    read_many(partner, local(yesterday, 22), range(1, 31))

    deadline = time.monotonic() + 90
    while not Alert.objects.filter(rule="access_without_session", partner=partner).exists():
        dead = [process for process, _log in worker_and_beat if process.poll() is not None]
        if dead or time.monotonic() > deadline:
            logs = "\n".join(log.read_text(errors="replace")[-3000:] for _p, log in worker_and_beat)
            pytest.fail(f"no alert after 90 s:\n{logs}")
        time.sleep(0.5)
    alert = Alert.objects.get(rule="access_without_session", partner=partner)
    assert alert.severity == "high"
    assert alert.numbers["residents"] == 30
