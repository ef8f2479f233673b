"""scripts/fit_allocation.py: the choice rule on known answers and a two-point fit end to
end (direction of the share, the choice, resume). The folder it refuses:
tests/experiments/test_fit_hindcast.py, with the other fit script."""

from __future__ import annotations

import json

import pandas as pd
from conftest import load_script


def _script():
    return load_script("fit_allocation")


def test_choice_is_the_smallest_objective_with_ties_to_the_smaller_elasticity() -> None:
    fit = _script()
    grid = pd.DataFrame({"beta": [0.0, 2.0, 4.0, 8.0], "objective": [0.3, 0.1004, 0.2, 0.1]})
    assert fit.choose(grid).beta == 2.0  # within 1% of the best: a tie, the smaller wins
    grid.loc[1, "objective"] = 0.1012  # 1.2% worse: no longer a tie
    assert fit.choose(grid).beta == 8.0


def test_two_point_fit_end_to_end_and_resume(tmp_path, monkeypatch, capsys) -> None:
    """Elasticity 0 and 8 on two seeds: 8 raises Canada's base-metal share 2017->2021 and,
    the observed ratio being 1.395, wins; a second call reruns nothing."""
    fit = _script()
    monkeypatch.setattr(fit, "GRID", (0.0, 8.0))
    monkeypatch.setattr(fit, "SEEDS", (1, 2))
    out = tmp_path / "fit"
    assert fit.main(["--out", str(out), "--workers", "1"]) == 0
    grid = pd.read_csv(out / "grid.csv")
    assert list(grid.beta) == [0.0, 8.0]
    assert grid.share_ratio[1] > grid.share_ratio[0] + 0.05
    assert json.loads((out / "fit.json").read_text())["chosen"]["beta"] == 8.0
    runs = {p.name: p.stat().st_mtime_ns for p in (out / "runs").iterdir()}
    assert len([n for n in runs if n.endswith(".parquet")]) == 4
    assert fit.main(["--out", str(out), "--workers", "1"]) == 0
    assert {p.name: p.stat().st_mtime_ns for p in (out / "runs").iterdir()} == runs
    assert "mineral_trend_elasticity = 8" in capsys.readouterr().out
