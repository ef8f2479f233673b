"""Sensitivity analysis: known answers (Ishigami Sobol, Morris inert input) and abm sensitivity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from abm import cli
from abm.experiments.design import generator, sample
from abm.experiments.experiment_file import Factor, SensitivitySettings
from abm.experiments.sensitivity import morris_table, sobol_table

SETTINGS = SensitivitySettings(bootstrap=100)


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_recovers_ishigami_indices() -> None:
    factors = [Factor(f"x{i}", -np.pi, np.pi) for i in (1, 2, 3)]
    x = sample("sobol", factors, 4096, generator(1, "design"), second_order=False)
    table = sobol_table(factors, pd.DataFrame({"y": ishigami(x)}), SETTINGS, master_seed=1)
    table = table.set_index("input")
    np.testing.assert_allclose(table.S1, [0.314, 0.442, 0.0], atol=0.03)
    np.testing.assert_allclose(table.ST, [0.558, 0.442, 0.244], atol=0.03)
    assert (table.S1_conf < 0.1).all() and (table.ST_conf < 0.1).all()


def test_morris_finds_the_inert_input() -> None:
    factors = [Factor("linear", 0, 1), Factor("square", 0, 1), Factor("inert", 0, 1)]
    x = sample("morris", factors, 20, generator(2, "design"), levels=4)
    y = pd.DataFrame({"y": 3 * x[:, 0] + 2 * x[:, 1] ** 2 + 0 * x[:, 2]})
    table = morris_table(factors, x, y, SETTINGS, master_seed=2).set_index("input")
    assert table.mu_star["inert"] == 0 and table.sigma["inert"] == 0
    assert table.mu_star["linear"] == pytest.approx(3) and table.sigma["linear"] < 1e-9
    assert table.mu_star["square"] > 0.5 and table.sigma["square"] > 0.1  # non-linear
    assert table.mu_star["linear"] > table.mu_star["square"] > table.mu_star["inert"]


SMALL = """\
scenario = "baseline"
years = 1
seed = 9
replications = 1
outcomes = ["investment_share.MX", "exploration_usd.NA"]
[uncertainties]
"market.price_volatility_scale" = { min = 0.5, max = 1.5 }
"exploration.cost_per_discovery_usd" = { min = 1.0e8, max = 2.5e8 }
[sensitivity]
morris_trajectories = 3
sobol_samples = 4
bootstrap = 20
"""


def test_abm_sensitivity_writes_tables_and_plots(tmp_path, capsys) -> None:
    path, out = tmp_path / "small.toml", tmp_path / "out"
    path.write_text(SMALL)
    args = ["sensitivity", str(path), "--out", str(out), "--workers", "1"]
    assert cli.main(args) == 0
    for method, cols in (("morris", "mu_star"), ("sobol", "ST")):
        table = pd.read_csv(out / f"{method}.csv")
        assert set(table.outcome) == {"investment_share.MX", "exploration_usd.NA"}
        assert cols in table and table[cols].notna().all()
        assert (out / f"{method}.png").stat().st_size > 10_000
        assert "<svg" in (out / f"{method}.svg").read_text()[:1000]
        assert (out / method / "results.parquet").exists()
    assert len(pd.read_parquet(out / "sobol" / "results.parquet")) == 4 * (2 + 2)
    before = pd.read_csv(out / "sobol.csv")
    assert cli.main([*args, "--resume"]) == 0  # nothing to run; the same analysis
    assert "0 ran, 16 reused" in capsys.readouterr().out
    pd.testing.assert_frame_equal(pd.read_csv(out / "sobol.csv"), before)


def test_sensitivity_refuses_grid_levers(tmp_path, capsys) -> None:
    path = tmp_path / "levers.toml"
    path.write_text(SMALL + '[levers]\n"government.MX.royalty_rate" = [0.1, 0.2]\n')
    assert cli.main(["sensitivity", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "levers" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
