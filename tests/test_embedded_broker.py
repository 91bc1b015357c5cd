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
import threading
from pathlib import Path
from queue import Empty

from kombu import Connection

from config.broker import Transport

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


def _file_connection(folder: Path) -> Connection:
    options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
    }
    for path in options.values():
        Path(path).mkdir(parents=True, exist_ok=True)
    return Connection("filesystem://", transport=Transport, transport_options=options)


def test_a_worker_reading_while_messages_are_written_gets_each_one_whole(tmp_path):
    # kombu's own transport writes into a file a worker may already have taken:
    # the worker read it empty and stopped on a JSONDecodeError under make run.
    count = 3000
    received: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def consume() -> None:
        with _file_connection(tmp_path) as connection:
            queue = connection.SimpleQueue("race")
            try:
                while len(received) < count:
                    try:
                        message = queue.get(timeout=0.01)
                    except Empty:
                        if done.is_set() and not os.listdir(tmp_path / "queue"):
                            return
                        continue
                    received.append(message.payload["n"])
                    message.ack()
            except BaseException as exc:  # the assertion below reports it
                errors.append(exc)

    reader = threading.Thread(target=consume, daemon=True)
    reader.start()
    try:
        with _file_connection(tmp_path) as connection:
            queue = connection.SimpleQueue("race")
            for n in range(count):
                queue.put({"n": n})
    finally:
        done.set()  # else a failed put leaves the reader waiting for ever
        reader.join(timeout=120)

    assert errors == []
    assert sorted(received) == list(range(count))
    assert not [name for name in os.listdir(tmp_path / "queue") if name.endswith(".part")]


def test_an_exchange_table_is_never_read_before_it_is_written(tmp_path):
    # kombu creates a new exchange's table file and only then locks and writes it:
    # a publisher looking the exchange up in between read "" and failed to decode it.
    names = [f"x{n}" for n in range(1500)]
    errors: list[BaseException] = []
    bound = threading.Event()

    def look_up() -> None:
        with _file_connection(tmp_path) as connection:
            channel = connection.default_channel
            while not bound.is_set():
                for name in names:
                    try:
                        channel.get_table(name)
                    except BaseException as exc:  # the assertion below reports it
                        errors.append(exc)
                        return

    reader = threading.Thread(target=look_up, daemon=True)
    reader.start()
    try:
        with _file_connection(tmp_path) as connection:
            channel = connection.default_channel
            for name in names:
                channel._queue_bind(name, name, None, name)
    finally:
        bound.set()
        reader.join(timeout=120)

    assert errors == []
    with _file_connection(tmp_path) as connection:
        tables = {name: connection.default_channel.get_table(name) for name in names}
    assert all(
        [(table.queue, table.routing_key)] == [(n, n)]
        for n, [table] in zip(names, tables.values(), strict=True)
    )
