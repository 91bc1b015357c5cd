"""gunicorn hooks of the ingestion benchmark: each web worker's garbage-collector pauses.

Loaded with ``gunicorn -c bench/gunicorn_probe.py`` by bench/ingestion.py
only. After every request a worker writes its running totals (seconds paused,
collections per generation) to ``$BENCH_PROBE_DIR/gc-<pid>.json``;
the benchmark reads them before and after the timed run. Measuring only:
nothing here changes how the service behaves.
"""

from __future__ import annotations

import gc
import json
import os
import time

_state = {"seconds": 0.0, "collections": [0, 0, 0]}
_started = [0.0]


def _on_gc(phase: str, info: dict) -> None:
    if phase == "start":
        _started[0] = time.perf_counter()
    else:
        _state["seconds"] += time.perf_counter() - _started[0]
        _state["collections"][info["generation"]] += 1


def post_fork(server, worker) -> None:
    gc.callbacks.append(_on_gc)


def post_request(worker, req, environ, resp) -> None:
    directory = os.environ.get("BENCH_PROBE_DIR")
    if not directory:
        return
    path = os.path.join(directory, f"gc-{os.getpid()}.json")
    with open(path + ".tmp", "w") as handle:
        json.dump(_state, handle)
    os.replace(path + ".tmp", path)
