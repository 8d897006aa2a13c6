"""scripts/venv.py, the setup behind run.sh and test.sh, on the cases that need no network: an
unsupported Python is refused before anything is installed, and a broken .venv is rebuilt.
(A real first install and an offline second start are in DEVELOPERS.md's fresh-clone check.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


def checkout(tmp_path: Path) -> Path:
    """The two files the setup reads, in a folder laid out like the repository."""
    (tmp_path / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "venv.py", tmp_path / "scripts" / "venv.py")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def interpreter(tmp_path: Path, version: str) -> Path:
    """A stand-in for a machine's python of another version (it only reports its version)."""
    major, minor = version.split(".")[:2]
    stub = tmp_path / f"python{major}.{minor}"
    stub.write_text(f"#!/bin/sh\necho '{major} {minor} {version}'\n")
    stub.chmod(0o755)
    return stub


def setup(folder: Path, python: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHON=str(python), PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1")
    return subprocess.run(
        [sys.executable, str(folder / "scripts" / "venv.py")],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("version", ["3.10.14", "3.13.1"])
def test_an_unsupported_python_is_refused_before_anything_is_installed(tmp_path: Path, version: str):
    folder = checkout(tmp_path / "repo")
    done = setup(folder, interpreter(tmp_path, version))
    assert done.returncode == 3, done.stderr
    assert "needs Python 3.11 or 3.12" in done.stderr and f"is {version}" in done.stderr, done.stderr
    assert "PYTHON=" in done.stderr  # says how to name another one
    assert not (folder / ".venv").exists()


def test_a_broken_venv_is_detected_and_rebuilt(tmp_path: Path):
    folder = checkout(tmp_path / "repo")
    (folder / ".venv" / "bin").mkdir(parents=True)
    (folder / ".venv" / "bin" / "python").symlink_to(tmp_path / "uninstalled-python3.11")  # dangling
    done = setup(folder, interpreter(tmp_path, "3.10.14"))
    assert ".venv cannot be used: its Python no longer runs" in done.stderr and "rebuilding" in done.stderr
    assert not (folder / ".venv").exists()  # removed; then refused to rebuild with 3.10
    assert done.returncode == 3


def test_the_readme_and_the_setup_claim_the_same_pythons():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'requires-python = ">=3.11,<3.13"' in text
    assert "Python 3.11 or 3.12" in (ROOT / "README.md").read_text(encoding="utf-8")
