"""The 2010 replay and ``abm hindcast``: the scenario follows the dated timeline, the short
hindcast writes real content (observed points, exogenous prices, paired decomposition with
intervals, report from the numbers), resumes, and gives the same numbers at any worker count."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm.cli import main
from abm.experiments import hindcast as hc
from abm.model import MiningModel
from abm.params.data import load_minerals
from abm.params.history import load_policy_timeline, policy_schedule
from abm.params.price_path import annual_mean_usd_per_t, load_history_prices
from abm.params.scenario import load_scenario
from abm.price_paths import history_rebase_frac
from abm.validation.hindcast import band

SHORT = (
    'description = "short hindcast for the tests"\n'
    'scenarios = ["history_2010"]\nreplications = 2\nseed = 20100101\nyears = 8\n'
)


def test_scenario_is_the_dated_timeline() -> None:
    """Starting values = the timeline's 2010-01 entry; the schedule = its later entries
    (plus the LitioMx budget, the one entry the timeline cannot map)."""
    spec = load_scenario("history_2010")
    entries = policy_schedule(load_policy_timeline(), "2010-01")
    for key, value in entries[0]["set"].items():
        assert spec.values[key] == value, key
    sched = {(c.date, k): v for c in spec.schedule for k, v in c.values.items()}
    for e in entries[1:]:
        for key, value in e["set"].items():
            assert sched[(e["date"], key)] == value, (e["date"], key)
    extra = set(sched) - {(e["date"], k) for e in entries[1:] for k in e["set"]}
    assert extra == {("2022-08", "government.MX.state_exploration_budget_usd")}
    assert spec.values["market.price_path"] == "history"
    assert spec.values["simulation.start"] == "2010-01" and spec.values["simulation.years"] == 15


def test_credits_switch_on_at_their_dates() -> None:
    """Canada's CMETC is 0 until 2022-03 and 30% from 2022-04; 45X from 2023-01; METC 15%."""
    m = MiningModel("history_2010", rng=1, years=14)
    seen = {}
    while m.running:
        m.step()
        seen[m.steps] = (
            m.values["government.CA.critical_exploration_credit_frac"],
            m.values["government.US.production_credit_frac"],
            m.values["government.CA.exploration_credit_frac"],
        )
    step = {f"{2010 + (s - 1) // 12}-{(s - 1) % 12 + 1:02d}": v for s, v in seen.items()}
    assert step["2022-03"][0] == 0.0 and step["2022-04"][0] == 0.3
    assert step["2022-12"][1] == 0.0 and step["2023-01"][1] == 0.1
    assert {v[2] for v in seen.values()} == {0.15}


def test_2010_table_replaces_prices_only() -> None:
    t24, t10 = load_minerals(), load_minerals(table="2010")
    want = annual_mean_usd_per_t(load_history_prices("2010-01", "2010-12")).loc[2010]
    ratio = history_rebase_frac()
    for j, m in enumerate(want.index):
        assert t10.price_usd_per_t[j] == pytest.approx(want[m] * ratio[m], rel=1e-9)
    assert t10.price_usd_per_t[1] < 0.6 * t24.price_usd_per_t[1]  # gold: ~$1,225 vs ~$2,390
    np.testing.assert_array_equal(t10.production_t, t24.production_t)  # back-cast: held


def test_counterfactual_drops_only_the_2014_fiscal_change() -> None:
    spec = load_scenario("history_2010")
    cf = hc.without_2014_fiscal(spec)
    assert [c.date for c in spec.schedule if c.date != "2014-01"] == [c.date for c in cf.schedule]
    assert cf.values == spec.values and cf.name == hc.NO_2014


def test_fit_objective_known_answers() -> None:
    """Log error e everywhere -> e^2; a CAD series off by a constant factor adds nothing."""
    rows = []
    for s in hc.SERIES:
        for y in (2010, 2012, 2016, 2020):
            obs = 100.0 + y
            sim = obs * (3.0 if not s.levels_comparable else math.e)
            rows.append((y, s.country, s.indicator, sim, obs))
    t = pd.DataFrame(rows, columns=["year", "country", "indicator", "simulated_mean", "observed"])
    comparable = sum(s.levels_comparable for s in hc.SERIES)
    n = len(hc.SERIES)
    assert hc.fit_objective(t) == pytest.approx(comparable * 3 / (n * 3))


def test_turning_points_and_bands() -> None:
    years = np.arange(2010, 2017)
    tp = hc.turning_points(years, np.array([1, 3, 2, 1, 0.5, 2, 3.0]))
    assert tp == {2011: "peak", 2014: "trough"}
    assert hc.turning_points(np.array([2010, 2012, 2013]), np.array([1, 2, 1.0])) == {}
    lo, hi = band(-0.5)  # log(0.5) x 2 and / 2
    assert lo == pytest.approx(-0.75) and hi == pytest.approx(math.sqrt(0.5) - 1)


@pytest.fixture(scope="module")
def short(tmp_path_factory) -> tuple[Path, dict]:
    d = tmp_path_factory.mktemp("hindcast")
    exp = d / "short.toml"
    exp.write_text(SHORT)
    res = hc.hindcast(d / "out", workers=1, progress=False, experiment=exp)
    return d, res


def test_short_hindcast_content(short) -> None:
    d, _res = short
    out = d / "out"
    for name in ("hindcast.csv", "fit.csv", "decomposition.csv", "report.md", "manifest.json"):
        assert (out / name).is_file(), name
    assert (out / "plots" / "exploration.png").stat().st_size > 10_000
    t = pd.read_csv(out / "hindcast.csv", keep_default_na=False, na_values=[""])
    assert list(t.columns) == [
        "year",
        "country",
        "indicator",
        "simulated_mean",
        "simulated_lo",
        "simulated_hi",
        "observed",
        "observed_source",
    ]
    ex = t[t.indicator == "exploration_usd"]
    assert set(ex.country) == {"US", "MX", "CA", "NA"} and set(ex.year) == set(range(2010, 2018))
    assert (ex.simulated_lo <= ex.simulated_mean).all() and (
        ex.simulated_mean <= ex.simulated_hi
    ).all()
    mx = ex[ex.country == "MX"].set_index("year")
    assert mx.observed[2012] == 1160e6 and mx.observed[2016] == 401e6
    assert "camimex" in mx.observed_source[2012]
    # prices are the exogenous input: simulated = observed (rebased) to rounding
    cu = t[t.indicator == "world_price_usd_per_t.copper"]
    np.testing.assert_allclose(cu.simulated_mean, cu.observed, rtol=1e-9)
    # levels: the 2010 start lands near the observed 2010 budgets (calibrated shares)
    na = ex[(ex.country == "NA") & (ex.year == 2010)].iloc[0]
    assert 0.7 < na.simulated_mean / na.observed < 1.3


def test_short_hindcast_decomposition_and_report(short) -> None:
    """The 2014 fiscal change lowers Mexico's 2012-2016 path (paired interval below 0), and
    the report quotes the computed numbers."""
    d, res = short
    dec = res["decomposition"].set_index("quantity")
    policy = dec.loc["policy_part_frac (paired difference)"]
    assert policy.hi < 0 and policy.n == 2
    assert dec.loc["simulated_change_frac", "mean"] < 0
    obs = dec.loc["observed_change_frac (Camimex)", "mean"]
    assert obs == pytest.approx(401 / 1160 - 1)
    report = (d / "out" / "report.md").read_text()
    assert f"{100 * policy['mean']:+.0f}%" in report
    assert f"{100 * obs:+.0f}%" in report
    fit = res["fit"]
    assert set(fit.window) == set(hc.WINDOWS)
    mx = fit[(fit.country == "MX") & (fit.indicator == "exploration_usd")]
    assert mx[mx.window == "fit_2010_2017"].points.iloc[0] == 4  # 2012, 2014, 2016, 2017


def test_short_hindcast_resumes_and_is_worker_invariant(short, tmp_path) -> None:
    d, res = short
    again = hc.hindcast(d / "out", workers=1, progress=False, experiment=d / "short.toml")
    assert again["meta"]["runs_ran"] == 0 and again["meta"]["runs_reused"] == 4
    two = hc.hindcast(tmp_path / "two", workers=2, progress=False, experiment=d / "short.toml")
    pd.testing.assert_frame_equal(two["table"], res["table"])


def test_cli_bad_input(tmp_path, capsys) -> None:
    assert main(["hindcast", "--replications", "1", "--out", str(tmp_path / "o")]) == 2
    assert "--replications" in capsys.readouterr().err
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    assert main(["hindcast", "--replications", "2", "--out", str(mine)]) == 2
    assert "did not write" in capsys.readouterr().err
    assert (mine / "notes.txt").read_text() == "mine" and not (tmp_path / "o").exists()
    assert main(["hindcast", "--set", "firms.npv_respons=1", "--out", str(tmp_path / "o")]) == 2
    assert not (tmp_path / "o").exists()
