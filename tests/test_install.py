"""An early clear error for Python < 3.12 (Mesa 3.5 needs 3.12; pip's own message on 3.11 is
"Could not find a version that satisfies mesa<4,>=3.5"): scripts/find_python.sh, make, the
package metadata and setup.py (which pip runs under the Python it installs for)."""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# A stand-in interpreter that reports Python 3.11.9 and fails find_python.sh's version test.
OLD_PYTHON = """#!/bin/sh
case "$2" in *platform*) echo 3.11.9;; *) exit 1;; esac
"""


def _old_python(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(OLD_PYTHON)
    path.chmod(0o755)
    return path


def test_find_python_refuses_when_only_old_pythons_are_there(tmp_path) -> None:
    for name in ("python3", "python3.12", "python3.13"):
        _old_python(tmp_path / "bin" / name)
    env = {
        "PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin",
        "PYENV_ROOT": str(tmp_path / "no-pyenv"),
        "PYTHON": str(tmp_path / "bin" / "python3"),
    }
    res = subprocess.run(
        ["bash", str(ROOT / "scripts" / "find_python.sh")], env=env, capture_output=True, text=True
    )
    assert res.returncode == 1 and res.stdout == ""
    assert res.stderr.strip().startswith("error: no Python >= 3.12 found")


def test_make_refuses_a_venv_of_an_old_python(tmp_path) -> None:
    shutil.copy(ROOT / "Makefile", tmp_path)
    (tmp_path / "pyproject.toml").touch()
    _old_python(tmp_path / ".venv" / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    res = subprocess.run(["make", "install"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert res.returncode != 0
    assert "error: .venv has Python 3.11.9; the model needs Python >= 3.12" in res.stderr
    assert not (tmp_path / ".venv" / ".installed").exists()  # nothing installed


def test_the_package_declares_its_python() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["requires-python"] == ">=3.12"


def test_setup_py_stops_an_old_python_before_pip_resolves_anything(monkeypatch) -> None:
    """pip 23 on Python 3.11 installing this folder shows this line (checked by hand with
    /usr/bin/python3.11: "Getting requirements to build wheel" fails with it) instead of the
    Mesa message."""
    monkeypatch.setattr(sys, "version_info", (3, 11, 7, "final", 0))
    with pytest.raises(SystemExit) as stop:
        runpy.run_path(str(ROOT / "setup.py"), run_name="__main__")
    assert str(stop.value.code).startswith("error: abm-usmca-mining needs Python >= 3.12")
