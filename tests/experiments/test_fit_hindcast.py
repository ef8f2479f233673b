"""scripts/fit_hindcast.py: the choice rule on known answers, the folder it claims, and a tiny
fit end to end (grid, identification across near-best points, fit.json, resume)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import load_script

from abm.experiments import hindcast as hc

ROOT = Path(__file__).resolve().parents[2]
SHORT = (
    'description = "tiny fit for the tests"\n'
    'scenarios = ["history_2010"]\nreplications = 2\nseed = 20100101\nyears = 8\n'
)


def _script():
    return load_script("fit_hindcast")


def test_choice_is_the_best_point_with_ties_to_the_current_values() -> None:
    fit = _script()
    axes = {"a": (1.0, 2.0, 3.0), "b": (10.0, 20.0)}
    rows = pd.DataFrame(
        [
            {"a": 1.0, "b": 10.0, "objective": 0.100},
            {"a": 3.0, "b": 20.0, "objective": 0.050},  # best
            {"a": 2.0, "b": 20.0, "objective": 0.0504},  # within 1%: a tie, one step nearer
            {"a": 2.0, "b": 10.0, "objective": 0.060},
        ]
    )
    pick = fit.choose(rows, {"a": 2.0, "b": 10.0}, axes)
    assert (pick.a, pick.b) == (2.0, 20.0)
    rows.loc[2, "objective"] = 0.0506  # 1.2% worse: no longer a tie
    pick = fit.choose(rows, {"a": 2.0, "b": 10.0}, axes)
    assert (pick.a, pick.b) == (3.0, 20.0)


@pytest.mark.parametrize("name", ["fit_hindcast", "fit_allocation"])
def test_a_folder_it_did_not_write_is_refused_untouched(tmp_path, capsys, name: str) -> None:
    """Both fit scripts (scripts/fit_hindcast.py, scripts/fit_allocation.py)."""
    fit = load_script(name)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("a user's file")
    assert fit.main(["--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{name}:"), err
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert (out / "notes.txt").read_text() == "a user's file"


@pytest.fixture
def tiny(monkeypatch, tmp_path):
    """A 2-point grid on a 2-replication, 8-year replay."""
    experiment = tmp_path / "short.toml"
    experiment.write_text(SHORT)
    load = hc.load_spec
    monkeypatch.setattr(hc, "load_spec", lambda replications=None: load(None, experiment))
    grid = {"firms.npv_response": (0.05, 0.2)}
    monkeypatch.setattr(hc, "FIT_GRID", grid)
    return _script(), tmp_path / "fit"


def test_a_tiny_fit_writes_grid_identification_and_choice_and_resumes(tiny) -> None:
    fit, out = tiny
    assert fit.main(["--out", str(out), "--workers", "1"]) == 0
    grid = pd.read_csv(out / "grid.csv")
    assert list(grid["firms.npv_response"]) == [0.05, 0.2]
    assert grid.objective.notna().all() and (grid.objective > 0).all()
    ident = pd.read_csv(out / "identification.csv")
    best = grid.objective.min()
    near = grid[grid.objective <= best * (1 + fit.NEAR_FRAC)]
    assert len(ident) == len(near) >= 1
    assert (ident.policy_part_lo <= ident.policy_part_mean).all()
    assert (ident.policy_part_mean <= ident.policy_part_hi).all()
    # Mexico's 2014 duties lower its exploration: the policy part is negative at every point.
    assert (ident.policy_part_mean < 0).all(), ident.to_string()
    result = json.loads((out / "fit.json").read_text())
    assert result["chosen"]["firms.npv_response"] in (0.05, 0.2)
    assert result["near_best_points"] == len(ident)
    lo, hi = result["policy_share_range"]
    assert lo == ident.policy_share_mean.min() and hi == ident.policy_share_mean.max()
    runs = sorted(p.name for p in (out / "runs").iterdir())
    before = (out / "identification.csv").read_bytes()
    assert fit.main(["--out", str(out), "--workers", "1"]) == 0  # resume: nothing rerun
    assert sorted(p.name for p in (out / "runs").iterdir()) == runs
    assert (out / "identification.csv").read_bytes() == before
