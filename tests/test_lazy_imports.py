"""``abm --help``, ``abm run --help`` and ``import abm`` load no heavy library: the model,
Mesa, pandas, scipy and matplotlib load when a command needs them (timed in
benchmarks/bench_cli.py); the lazy names still resolve to the real objects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("mesa", "pandas", "scipy", "matplotlib", "SALib", "dask", "abm.model", "abm.runner")


def _loaded(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    res = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(res.stdout.splitlines()[-1].split())


def _main(argv: list[str]) -> str:
    return f"from abm.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass"


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"]])
def test_help_loads_no_heavy_library(argv) -> None:
    assert _loaded(_main(argv)) == set()


def test_a_command_loads_what_it_needs() -> None:
    assert {"pandas", "abm.runner"} <= _loaded(_main(["compare", "--help"]))


def test_import_abm_is_light_and_its_names_resolve() -> None:
    assert _loaded("import abm") == set()
    assert _loaded("import abm\nabm.run") >= {"abm.runner", "abm.model", "mesa"}
    import abm
    import abm.model
    import abm.runner

    assert abm.run is abm.runner.run and abm.MiningModel is abm.model.MiningModel
    assert abm.RunResult is abm.runner.RunResult and "run" in dir(abm)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        abm.nope  # noqa: B018
