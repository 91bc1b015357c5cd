"""``make verifier``: the one-file verifier runs where only ``cryptography`` is installed.

The interpreter is this one started with ``-S`` (no site-packages at all),
its path holding only a copy of ``cryptography`` and what it needs (cffi,
pycparser): no Django, no orjson, none of this project's pins.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditsvc.core.keys import SigningKey

from .crafted import CraftedLog

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.slow


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None
    return (
        Path(spec.origin) if spec.submodule_search_locations is None else Path(spec.origin).parent
    )


@pytest.fixture(scope="module")
def only_cryptography(tmp_path_factory) -> Path:
    """A directory holding cryptography and its runtime dependencies, nothing else."""
    target = tmp_path_factory.mktemp("site")
    for name in ("cryptography", "cffi", "pycparser"):
        shutil.copytree(
            _package_dir(name), target / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    backend = _package_dir("_cffi_backend")
    shutil.copy(backend, target / backend.name)
    return target


@pytest.fixture(scope="module")
def pyz(tmp_path_factory) -> Path:
    build = tmp_path_factory.mktemp("pyz")
    out = build / "auditsvc-verify.pyz"
    subprocess.run(
        [
            "make",
            "-s",
            "verifier",
            f"PYZ={out}",
            f"PYZ_STAGE={build / 'stage'}",
            f"PYTHON={sys.executable}",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out


def run(only_cryptography: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-S", *args],
        cwd=only_cryptography,  # not the project's directory, which -c would put on the path
        env={"PYTHONPATH": str(only_cryptography), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_pyz_holds_only_the_core_and_the_verifier(pyz):
    import zipfile

    with zipfile.ZipFile(pyz) as archive:
        packages = {name.rsplit("/", 1)[0] for name in archive.namelist() if "/" in name}

    assert packages == {"auditsvc", "auditsvc/core", "auditsvc/core/merkle", "auditsvc/verifier"}


def test_the_interpreter_has_cryptography_and_nothing_of_the_project(only_cryptography):
    result = run(
        only_cryptography,
        "-c",
        "import cryptography, importlib.util as u;"
        "found = [m for m in ('django', 'orjson', 'auditsvc') if u.find_spec(m)];"
        "print(cryptography.__version__, found)",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 1)[1].strip() == "[]"


def test_the_pyz_verifies_a_bundle_on_all_cores(pyz, only_cryptography, tmp_path):
    key = SigningKey.generate("audit.ybj.example")
    # About 2.5 MB of entries: enough blocks for worker processes.
    bundle = CraftedLog(key).append(8000).export(100, 7900)
    path = bundle.write(tmp_path / "b.zip")

    result = run(
        only_cryptography,
        str(pyz),
        str(path),
        "--trusted-key",
        key.verifier_string(),
        "--jobs",
        "2",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"OK: {path}: log P0001, 7800 entries (seqs 100..7899)")


def test_the_pyz_refuses_a_tampered_bundle(pyz, only_cryptography, tmp_path):
    key = SigningKey.generate("audit.ybj.example")
    bundle = CraftedLog(key).append(20).export(5, 12)
    records = bundle.lines()
    del records[2]
    bundle.set_lines(records)
    path = bundle.seal(key).write(tmp_path / "b.zip")

    result = run(only_cryptography, str(pyz), str(path), "--trusted-key", key.verifier_string())

    assert result.returncode == 1
    assert "seq 7 missing" in result.stdout
