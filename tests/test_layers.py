"""The layers of DESIGN.md "Components" hold: import-linter's contracts, and a core without Django.

``make lint`` runs the same contracts in CI; these tests show that a
wrong-way import really breaks them and that the core (which the offline
verifier shares) runs where Django cannot even be imported.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", "pyproject.toml"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def tree_copy(tmp_path) -> Path:
    """A copy of the project's packages and pyproject.toml, to break on purpose."""
    for name in ("auditsvc", "partners", "config"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_import_contracts_hold():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_import_from_a_higher_layer_breaks_the_layers_contract(tree_copy):
    # The ledger may not know the partners above it.
    (tree_copy / "auditsvc" / "ledger" / "wrong_way.py").write_text(
        "from partners.models import Partner  # noqa: F401\n"
    )

    result = lint_imports(tree_copy)

    assert result.returncode == 1
    assert "Layers: each imports only the layers below it BROKEN" in result.stdout
    assert "auditsvc.ledger.wrong_way -> partners.models" in result.stdout


def test_django_in_the_core_breaks_the_forbidden_contract(tree_copy):
    (tree_copy / "auditsvc" / "core" / "wrong_way.py").write_text(
        "from django.conf import settings  # noqa: F401\n"
    )

    result = lint_imports(tree_copy)

    assert result.returncode == 1
    assert "imports no Django, REST framework or Celery BROKEN" in result.stdout


CORE_WITHOUT_DJANGO = textwrap.dedent(
    """
    import importlib, pkgutil, sys

    class NoDjango:
        # Refuse the frameworks the way a machine without them would.
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("django", "rest_framework", "celery"):
                raise ImportError(f"{name} is not installed here")
            return None

    sys.meta_path.insert(0, NoDjango())
    import auditsvc.core
    names = [m.name for m in pkgutil.walk_packages(auditsvc.core.__path__, "auditsvc.core.")]
    for name in names:
        importlib.import_module(name)
    print(" ".join(sorted(names)))
    """
)


def test_the_core_imports_where_django_cannot_be_imported():
    result = subprocess.run(
        [sys.executable, "-c", CORE_WITHOUT_DJANGO],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    imported = result.stdout.split()
    assert {"auditsvc.core.canonical", "auditsvc.core.keys", "auditsvc.core.notes"} <= set(imported)
    assert "auditsvc.core.merkle.verify" in imported
