"""Fixtures of the ledger's database tests (the session signing key is in tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.db import transaction

from auditsvc.ledger import keys
from auditsvc.ledger.services import append_entries, log_for_update


@pytest.fixture
def append(db):
    """append(log_id, count, kind=..., batch=None) -> entries: bodies {"n": i}."""

    def do(log_id: str, count: int, *, kind: str = "access.recorded", batch: int | None = None):
        entries = []
        batch = batch or count or 1
        for start in range(0, count, batch):
            with transaction.atomic():
                log = log_for_update(log_id)
                entries += append_entries(
                    log, [(kind, {"n": n}) for n in range(start, min(count, start + batch))]
                )
        return entries

    return do


@pytest.fixture
def key_dir(settings, tmp_path, signing_key):
    """A private key directory of this test only, holding the session key.

    Tests that generate or rotate keys use it, so their key files do not
    leak into the session directory that every other test signs with.
    """
    directory = tmp_path / "keys"
    directory.mkdir(mode=0o700)
    path = directory / f"{signing_key.key_id}.key"
    path.write_text(signing_key.private_string() + "\n")
    path.chmod(0o600)
    settings.AUDITSVC_KEY_DIR = directory
    settings.AUDITSVC_SIGNING_KEY = None
    keys.forget_loaded_keys()
    yield directory
    keys.forget_loaded_keys()


@pytest.fixture
def relaxed_throttle(settings):
    """Throttle rates no test run reaches (tests share one cache and client address)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"credential": "100000/min", "anon": "100000/min"},
    }
