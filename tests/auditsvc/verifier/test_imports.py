"""What importing the verifier pulls in: the standard library, cryptography and the core, no more.

import-linter holds the same rule for the layers that exist (``make lint``);
this also catches a layer added later, and indirect imports through libraries.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_importing_the_verifier_loads_nothing_of_the_service():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, auditsvc.verifier.cli, auditsvc.verifier.__main__;"
            "print(' '.join(sys.modules))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    modules = result.stdout.split()

    tops = {name.split(".")[0] for name in modules}
    assert not tops & {"django", "rest_framework", "celery", "orjson", "partners", "config", "rich"}
    ours = {".".join(name.split(".")[:2]) for name in modules if name.startswith("auditsvc.")}
    assert ours == {"auditsvc.core", "auditsvc.verifier"}
