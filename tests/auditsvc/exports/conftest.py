"""Fixtures of the export tests: a private folder for the bundles."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.AUDITSVC_EXPORT_DIR = tmp_path / "exports"
    return settings.AUDITSVC_EXPORT_DIR
