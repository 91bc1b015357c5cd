"""Fixtures of the ledger's database tests (the session signing key is in tests/conftest.py)."""

from __future__ import annotations

import pytest

from auditsvc.ledger import keys


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
