"""The embedded file-system broker keeps every folder under var/ (issue 8, item 16).

kombu's filesystem transport puts its exchange tables in ``control/`` of the
working directory unless told otherwise: ``make run`` left one in the
repository root. A task sent with the embedded settings must leave nothing
in the working directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SEND = (
    "import django; django.setup()\n"
    "from config.celery import app\n"
    "app.send_task('auditsvc.ledger.tasks.sign_checkpoints')\n"
)


def test_sending_a_task_with_the_file_broker_leaves_nothing_in_the_working_directory(tmp_path):
    cwd, var = tmp_path / "cwd", tmp_path / "var"
    cwd.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL", "PYTEST_XDIST_WORKER"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_DEBUG="1",
        AUDITSVC_VAR_DIR=str(var),
        PYTHONPATH=str(ROOT),
    )

    subprocess.run([sys.executable, "-c", SEND], cwd=cwd, env=env, check=True, timeout=120)

    assert list(cwd.iterdir()) == []
    assert (var / "celery-broker" / "control").is_dir()
    assert list((var / "celery-broker" / "queue").iterdir())  # the task is queued there
