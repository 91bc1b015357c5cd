"""Real servers for tests and benchmarks: gunicorn on a free port, and HTTP clients.

``gunicorn_server`` starts ``gunicorn config.wsgi`` in a subprocess against
the test database, waits until it answers, and stops it afterwards. The
client helpers use only the standard library, so they can run in processes
started with ``multiprocessing`` "spawn" (which import this module afresh,
without Django).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    """A TCP port nobody listens on right now (on 127.0.0.1)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL (django-environ form) for a connection's settings_dict."""
    engine = settings_dict["ENGINE"]
    if "postgresql" not in engine:
        raise ValueError(f"only PostgreSQL can be shared with a server process, not {engine}")
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


@contextlib.contextmanager
def gunicorn_server(
    env: dict[str, str], *, workers: int = 2, timeout: float = 30.0
) -> Iterator[str]:
    """Run gunicorn config.wsgi with ``env`` added to this environment; yield its base URL.

    ``env`` must name the database (DATABASE_URL) and the settings
    (DJANGO_SETTINGS_MODULE, secrets, signing key). The server's output goes
    to a temporary file, shown in the error if it does not come up.
    """
    port = free_port()
    full_env = {**os.environ, **env}
    # The server is not an xdist worker: its settings must not shift the Redis database again.
    full_env.pop("PYTEST_XDIST_WORKER", None)
    command = [
        str(GUNICORN),
        "config.wsgi",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        "--graceful-timeout",
        "5",
    ]
    with tempfile.TemporaryFile(mode="w+") as output:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=full_env, stdout=output, stderr=subprocess.STDOUT
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(process, base_url, timeout, output)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def _wait_until_up(process: subprocess.Popen, base_url: str, timeout: float, output) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            urllib.request.urlopen(base_url + "/api/v1/keys", timeout=2).close()  # noqa: S310
            return
        except urllib.error.HTTPError:
            return  # it answered, even if with an error status
        except OSError:
            time.sleep(0.1)
    output.seek(0)
    raise RuntimeError(f"gunicorn did not come up at {base_url}:\n{output.read()[-4000:]}")


def post_json(url: str, key: str, body: object, timeout: float = 120.0) -> tuple[int, dict]:
    """POST ``body`` as JSON with a Bearer key; return (status, decoded answer)."""
    request = urllib.request.Request(  # noqa: S310 - a URL of our own test server
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def post_batches(url: str, key: str, batches: list[dict]) -> list[tuple[int, dict]]:
    """POST each batch in turn (one client process); return every (status, answer)."""
    return [post_json(url, key, batch) for batch in batches]


_CLIENT_SCRIPT = (
    "import json, sys\n"
    "from tests.servers import post_batches\n"
    "url, key, batches = json.load(sys.stdin)\n"
    "json.dump(post_batches(url, key, batches), sys.stdout)\n"
)


def run_clients(jobs: list[tuple[str, str, list[dict]]]) -> list[list[tuple[int, dict]]]:
    """Run one client process per ``(url, key, batches)`` job, all at once.

    Each process posts its batches in turn; the processes run side by side,
    so requests of different jobs overlap. Returns each job's answers.
    """
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _CLIENT_SCRIPT],
            cwd=BASE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in jobs
    ]
    for process, job in zip(processes, jobs, strict=True):
        process.stdin.write(json.dumps(job))
        process.stdin.close()
    results = []
    for process in processes:
        output = process.stdout.read()
        if process.wait(timeout=600) != 0:
            raise RuntimeError(f"client process failed with exit code {process.returncode}")
        results.append([tuple(answer) for answer in json.loads(output)])
    return results


@contextlib.contextmanager
def celery_worker(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen]:
    """A Celery worker process (solo pool, the default queue) with ``env``; stopped afterwards.

    Its output goes to ``log_path``, which a failing test can show.
    """
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "celery"),
                *("-A", "config", "worker", "--pool=solo", "--concurrency=1", "-Q", "celery"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
                "--loglevel=INFO",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
