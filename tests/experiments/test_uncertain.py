"""Parameter uncertainty in compare: parsing, Latin hypercube draws shared by the scenarios of a
replication, input columns in outcomes.csv, and intervals that widen with the uncertainty."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm.cli import main
from abm.experiments import compare, uncertain
from abm.experiments.spec import load_compare

HEAD = """
description = "test"
scenarios = ["baseline", "mx_pre_reform"]
replications = {reps}
seed = 7
years = {years}
outcomes = ["investment_share.MX", "import_dependency.critical_mean.end"]
"""


def _file(tmp_path: Path, table: str, reps: int = 4, years: int = 1, name: str = "u") -> Path:
    p = tmp_path / f"{name}.toml"
    p.write_text(HEAD.format(reps=reps, years=years) + table)
    return p


GOOD = """
[uncertainties]
"investors.risk_aversion" = { min = 5.0, max = 20.0 }
"integration.joint_venture_projects" = { min = 0, max = 6 }
"trade.rules_of_origin" = { values = ["status_quo", "geological_origin"] }
"""


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        ('"investors.no_such" = { min = 1.0, max = 2.0 }', "unknown parameter"),
        ('"investors.risk_aversion" = { min = 5.0, max = 5.0 }', "min must be below max"),
        ('"investors.risk_aversion" = { min = 5.0 }', "min = ..., max = ..."),
        ('"trade.rules_of_origin" = { values = ["status_quo", "atlantis"] }', "atlantis"),
        ('"trade.rules_of_origin" = { values = ["status_quo"] }', "at least two"),
        ('"investors.risk_aversion" = { values = [1.0, 2.0] }', "min, max"),
        ('"investors.risk_aversion" = { min = 5.0, max = 999.0 }', "outside its bounds"),
    ],
)
def test_bad_uncertainty_one_line_exit_2_nothing_written(tmp_path, capsys, table, needle) -> None:
    exp = _file(tmp_path, "[uncertainties]\n" + table + "\n")
    out = tmp_path / "out"
    assert main(["compare", str(exp), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and needle in err and "u.toml" in err, err
    assert not out.exists()


def test_draws_are_a_latin_hypercube_reproducible_and_balanced(tmp_path) -> None:
    spec = load_compare(_file(tmp_path, GOOD, reps=8))
    d = uncertain.replication_draws(spec)
    assert list(d.columns) == ["seed", *(u.name for u in uncertain.uncertainties_of(spec))]
    assert d.seed.tolist() == spec.seeds
    # one value per stratum of [5, 20): a Latin hypercube, not 8 independent draws
    strata = np.floor((d["investors.risk_aversion"] - 5.0) / (15.0 / 8)).astype(int)
    assert sorted(strata) == list(range(8))
    assert d["integration.joint_venture_projects"].between(0, 6).all()
    assert d["integration.joint_venture_projects"].map(type).eq(int).all()
    # a categorical over two values: each drawn in half the replications
    assert d["trade.rules_of_origin"].value_counts().to_dict() == {
        "status_quo": 4,
        "geological_origin": 4,
    }
    pd.testing.assert_frame_equal(d, uncertain.replication_draws(spec))  # same seed, same draws
    other = load_compare(_file(tmp_path, GOOD, reps=8, name="v"))
    other.seed = 8
    assert (
        not uncertain.replication_draws(other).drop(columns="seed").equals(d.drop(columns="seed"))
    )


def test_every_scenario_of_a_replication_gets_the_same_draw(tmp_path) -> None:
    spec = load_compare(_file(tmp_path, GOOD, reps=3))
    tasks = compare.make_tasks(spec)
    by_rep: dict[int, set] = {}
    for t in tasks:
        by_rep.setdefault(t.seed, set()).add(t.overrides)
    assert len(by_rep) == 3 and all(len(v) == 1 for v in by_rep.values())
    assert len({next(iter(v)) for v in by_rep.values()}) == 3  # replications differ
    # without uncertainties: no overrides, run ids as before
    plain = load_compare(_file(tmp_path, "", reps=3, name="plain"))
    assert all(t.overrides == () for t in compare.make_tasks(plain))
    assert {t.run_id for t in tasks}.isdisjoint({t.run_id for t in compare.make_tasks(plain)})


@pytest.mark.slow
def test_outcomes_carry_the_draws_and_intervals_widen_with_parameter_uncertainty(tmp_path):
    """Demand growth drawn over -2%..+3%/yr moves dependency far more than seed noise: the
    replications' sd of December dependency with the draws exceeds the seeds-only sd."""
    years, reps = 2, 6
    name = "market.demand_growth_shift_frac_per_year"
    table = f'[uncertainties]\n"{name}" = {{ min = -0.1, max = 0.2 }}\n'
    wide = _file(tmp_path, table, reps=reps, years=years, name="wide")
    narrow = _file(tmp_path, "", reps=reps, years=years, name="narrow")
    for exp in (wide, narrow):
        assert main(["compare", str(exp), "--out", str(tmp_path / exp.stem), "--quiet"]) == 0
    o_wide = pd.read_csv(tmp_path / "wide" / "outcomes.csv")
    o_narrow = pd.read_csv(tmp_path / "narrow" / "outcomes.csv")
    assert list(o_wide.columns[:3]) == ["scenario", "seed", name]
    assert name not in o_narrow.columns
    # same draw in both scenarios of a replication
    assert o_wide.groupby("seed")[name].nunique().eq(1).all()
    dep = "import_dependency.critical_mean.end"
    sd_wide = o_wide[o_wide.scenario == "baseline"][dep].std()
    sd_narrow = o_narrow[o_narrow.scenario == "baseline"][dep].std()
    assert sd_wide > 3 * sd_narrow, (sd_wide, sd_narrow)
    # faster demand growth, higher dependency (same seeds): direction of the drawn parameter
    base = o_wide[o_wide.scenario == "baseline"]
    assert np.corrcoef(base[name], base[dep])[0, 1] > 0.5
    report = (tmp_path / "wide" / "report.md").read_text()
    assert "Parameter uncertainty: each replication also draws 1 parameters" in report
    assert (tmp_path / "wide" / "summary_table.tex").read_text().startswith("\\begin{tabular}")


@pytest.mark.slow
def test_a_categorical_uncertainty_goes_through_compare_and_discover(tmp_path, capsys) -> None:
    table = (
        "[uncertainties]\n"
        '"trade.rules_of_origin" = { values = ["status_quo", "geological_origin"] }\n'
        '"investors.risk_aversion" = { min = 5.0, max = 20.0 }\n'
    )
    exp = _file(tmp_path, table, reps=4, years=1, name="cat")
    out = tmp_path / "cat"
    assert main(["compare", str(exp), "--out", str(out), "--quiet"]) == 0
    o = pd.read_csv(out / "outcomes.csv")
    assert sorted(o["trade.rules_of_origin"].unique()) == ["geological_origin", "status_quo"]
    assert (
        "| `trade.rules_of_origin` | status_quo, geological_origin |"
        in (out / "report.md").read_text()
    )
    capsys.readouterr()
    cut = float(o["investment_share.MX"].median())
    args = [
        "--outcome",
        "investment_share.MX",
        "--threshold",
        str(cut),
        "--out",
        str(tmp_path / "d"),
    ]
    assert main(["discover", str(out), *args]) == 0
    assert "box" in capsys.readouterr().out
    meta = (tmp_path / "d" / "discover.json").read_text()
    assert "trade.rules_of_origin" in meta and '"scenario"' in meta
