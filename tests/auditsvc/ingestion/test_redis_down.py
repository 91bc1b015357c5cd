"""With Redis down, ingestion still records and answers: the throttle fails open.

Recording evidence matters more than rate limiting. A real redis-server is
started on a free port and then killed; another test points the cache at a
port where nothing listens.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time

import pytest
import redis

from auditsvc.ingestion.models import AccessEvent
from tests import needs

from .support import ACCESS_URL, access_event, post

# Starts processes (servers, a worker, clients): left out of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow

REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_cache(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            "KEY_PREFIX": "auditsvc",
        }
    }


@pytest.fixture
def redis_server():
    """A throw-away redis-server (no persistence) on a free port; yields (process, port)."""
    if REDIS_SERVER is None:
        pytest.skip(f"{needs.PREFIX}redis-server: a throw-away server to kill mid-test")
    port = free_port()
    process = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield process, port
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def test_it_keeps_recording_when_redis_dies(partner_client, redis_server, settings, caplog, now):
    process, port = redis_server
    settings.CACHES = redis_cache(port)

    before = post(partner_client, ACCESS_URL, {"events": [access_event(now, 1)]})
    counted = redis.Redis(host="127.0.0.1", port=port).keys("auditsvc:*throttle*")
    process.kill()
    process.wait(timeout=10)
    with caplog.at_level(logging.WARNING, logger="auditsvc.base.api.throttling"):
        after = post(partner_client, ACCESS_URL, {"events": [access_event(now, 2)]})

    assert before.status_code == 201
    assert counted, "the throttle counted in the live Redis"
    assert after.status_code == 201
    assert after.json()["results"][0]["status"] == "recorded"
    assert AccessEvent.objects.count() == 2
    assert "throttle cache unavailable" in caplog.text


def test_it_records_when_redis_was_never_there(partner_client, settings, now):
    settings.CACHES = redis_cache(free_port())  # nothing listens there

    started = time.monotonic()
    response = post(partner_client, ACCESS_URL, {"events": [access_event(now)]})

    assert response.status_code == 201
    assert AccessEvent.objects.count() == 1
    assert time.monotonic() - started < 5  # short socket timeouts: no hanging request


def test_it_stops_asking_a_dead_cache_for_a_while(partner_client, settings, caplog, now):
    settings.CACHES = redis_cache(free_port())

    with caplog.at_level(logging.WARNING, logger="auditsvc.base.api.throttling"):
        answers = [
            post(partner_client, ACCESS_URL, {"events": [access_event(now, n)]}).status_code
            for n in range(3)
        ]

    assert answers == [201, 201, 201]
    # One failed attempt, then the next requests skip the cache instead of waiting on it.
    assert caplog.text.count("throttle cache unavailable") == 1


def test_it_needs_no_broker_and_checkpoints_catch_up_later(
    partner_client, vetted_partner, settings, signing_key, now
):
    """Ingestion publishes nothing to the broker; the next checkpoint run covers what came in."""
    from auditsvc.core import merkle
    from auditsvc.core.keys import VerifierKey
    from auditsvc.core.notes import open_note, parse_checkpoint
    from auditsvc.ledger.checkpoints import checkpoint_sign_due
    from auditsvc.ledger.selectors import inclusion_proof
    from config.celery import app

    settings.CACHES = redis_cache(free_port())
    dead_broker = f"redis://127.0.0.1:{free_port()}/0"
    original_broker = app.conf.broker_url
    app.conf.broker_url = dead_broker
    try:
        response = post(partner_client, ACCESS_URL, {"events": [access_event(now)]})
    finally:
        app.conf.broker_url = original_broker
    assert response.status_code == 201
    receipt = response.json()["results"][0]["receipt"]

    # What beat runs once the broker is back: the grown log is due and gets signed.
    signed = {checkpoint.log_id: checkpoint for checkpoint in checkpoint_sign_due()}
    checkpoint = signed[vetted_partner.code]
    text, _ = open_note(checkpoint.note, [VerifierKey.from_string(signing_key.verifier_string())])
    head = parse_checkpoint(text)
    assert head.size > receipt["seq"]
    merkle.verify_inclusion(
        bytes.fromhex(receipt["leaf_hash"]),
        receipt["seq"],
        head.size,
        inclusion_proof(vetted_partner.code, receipt["seq"], head.size),
        head.root,
    )
