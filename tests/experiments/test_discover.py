"""``abm discover``: PRIM finds a planted box (numeric, integer, boolean and categorical inputs),
writes its outputs, and refuses bad input with one line, exit 2 and nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import ema_workbench  # noqa: F401  (the ema extra: `make test` installs it; no skip)
import numpy as np
import pandas as pd
import pytest

from abm.cli import main
from abm.experiments import discover as d

OUTCOME = "import_reduction_frac.2030"


def _planted(n: int = 600, seed: int = 3) -> pd.DataFrame:
    """Compare-like outcomes: cases of interest (reduction < 0.25) exactly where processing is
    slow to build (build_months > 40) and the rules of origin are the status quo."""
    rng = np.random.default_rng(seed)
    t = pd.DataFrame(
        {
            "scenario": rng.choice(["baseline", "full_integration_2026"], n),
            "seed": np.arange(n),
            "processing.build_months": rng.uniform(24, 60, n),
            "investors.risk_aversion": rng.uniform(5, 20, n),
            "integration.joint_venture_projects": rng.integers(0, 7, n),
            "government.US.critical_fast_track": rng.choice([True, False], n),
            "trade.rules_of_origin": rng.choice(["status_quo", "geological_origin"], n),
        }
    )
    bad = (t["processing.build_months"] > 40) & (t["trade.rules_of_origin"] == "status_quo")
    t[OUTCOME] = np.where(bad, 0.1, 0.4) + rng.normal(0, 0.01, n)
    t["investment_share.MX"] = rng.uniform(0.2, 0.3, n)
    return t


def _write(tmp_path: Path, table: pd.DataFrame, name: str = "outcomes.csv") -> Path:
    folder = tmp_path / "results"
    folder.mkdir(exist_ok=True)
    p = folder / name
    table.to_parquet(p) if name.endswith(".parquet") else table.to_csv(p, index=False)
    return p


def test_prim_recovers_a_planted_box_with_a_categorical_input(tmp_path) -> None:
    src = _write(tmp_path, _planted())
    q = d.Question(OUTCOME, 0.25, below=True)
    found = d.discover(src.parent, q, out=tmp_path / "disc", min_coverage=0.8)
    box = found.box.set_index("input")
    assert set(box.index) == {"processing.build_months", "trade.rules_of_origin"}
    assert box.loc["processing.build_months", "min"] == pytest.approx(40, abs=1.5)
    assert box.loc["trade.rules_of_origin", "values"] == "status_quo"
    assert box.loc["processing.build_months", "qp_lo"] < 1e-6  # far from noise
    c = found.trajectory.loc[found.chosen]
    assert c.coverage >= 0.8 and c.density > 0.95
    files = {p.name for p in (tmp_path / "disc").iterdir()}
    assert files >= {
        "trajectory.csv",
        "box.csv",
        "boxes.json",
        "tradeoff.png",
        "tradeoff.svg",
        "report.md",
        "discover.json",
    }
    traj = pd.read_csv(tmp_path / "disc" / "trajectory.csv")
    assert {"coverage", "density", "restrictions"} <= set(traj.columns)
    assert traj.coverage.is_monotonic_decreasing
    report = (tmp_path / "disc" / "report.md").read_text()
    assert f"{c.density:.0%} meet {q.text}" in report and "trade.rules_of_origin" in report
    meta = json.loads((tmp_path / "disc" / "discover.json").read_text())
    assert meta["coverage"] == pytest.approx(c.coverage)


def test_the_report_follows_the_numbers(tmp_path) -> None:
    """Move the planted boundary: the box, the report's numbers and its restriction move too."""
    texts = []
    for cut in (35, 50):
        t = _planted()
        bad = (t["processing.build_months"] > cut) & (t["trade.rules_of_origin"] == "status_quo")
        t[OUTCOME] = np.where(bad, 0.1, 0.4)
        (tmp_path / str(cut)).mkdir()
        src = _write(tmp_path / str(cut), t)
        found = d.discover(src, d.Question(OUTCOME, 0.25, True), out=tmp_path / f"o{cut}")
        lo = found.box.set_index("input").loc["processing.build_months", "min"]
        assert lo == pytest.approx(cut, abs=2)
        texts.append((tmp_path / f"o{cut}" / "report.md").read_text())
    assert texts[0] != texts[1]


def test_every_input_kind_goes_through_prim_and_the_box_table(tmp_path) -> None:
    """Integer, boolean and categorical inputs as PRIM's only signal; box.inspect() (EMA 3.0.0,
    pandas 3) fails on categorical inputs, the discover table does not."""
    t = _planted()
    hit = (t["integration.joint_venture_projects"] <= 2) & t["government.US.critical_fast_track"]
    t[OUTCOME] = np.where(hit, 0.1, 0.4)
    src = _write(tmp_path, t, "results.parquet")
    found = d.discover(src, d.Question(OUTCOME, 0.25, True), out=tmp_path / "o")
    box = found.box.set_index("input")
    assert "integration.joint_venture_projects" in box.index
    assert box.loc["integration.joint_venture_projects", "max"] == 2
    assert box.loc["government.US.critical_fast_track", "values"] == "True"
    assert found.data.x["integration.joint_venture_projects"].dtype == np.int64


def test_the_compare_scenario_is_an_input(tmp_path) -> None:
    """EMA's PRIM drops a column called "scenario"; discover keeps it as an input."""
    t = _planted()
    hit = (t.scenario == "baseline") & (t["investors.risk_aversion"] > 12)
    t[OUTCOME] = np.where(hit, 0.1, 0.4)
    found = d.discover(_write(tmp_path, t), d.Question(OUTCOME, 0.25, True), out=tmp_path / "o")
    box = found.box.set_index("input")
    assert box.loc["scenario", "values"] == "baseline"
    assert box.loc["investors.risk_aversion", "min"] == pytest.approx(12, abs=0.5)
    assert "`scenario`" in (tmp_path / "o" / "report.md").read_text()


def test_above_threshold_is_the_complement(tmp_path) -> None:
    src = _write(tmp_path, _planted())
    found = d.discover(src, d.Question(OUTCOME, 0.25, below=False), out=tmp_path / "o")
    assert found.data.y.sum() == (pd.read_csv(src)[OUTCOME] > 0.25).sum()


def test_cli_prints_the_box_and_exit_0(tmp_path, capsys) -> None:
    src = _write(tmp_path, _planted())
    args = [str(src), "--outcome", OUTCOME, "--threshold", "0.25", "--below"]
    assert main(["discover", *args, "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "coverage" in out and "processing.build_months in [" in out
    # a second run into its own folder is allowed (it rewrites what it wrote)
    assert main(["discover", *args, "--out", str(tmp_path / "o")]) == 0


@pytest.mark.parametrize(
    ("change", "args", "needle"),
    [
        (None, ["--outcome", "nope.2030", "--threshold", "0.25"], "'nope.2030' is not in"),
        (None, ["--outcome", OUTCOME, "--threshold", "5"], f"no run meets {OUTCOME} > 5"),
        (None, ["--outcome", OUTCOME, "--threshold", "5", "--below"], "every run meets"),
        ("no_inputs", ["--outcome", OUTCOME, "--threshold", "0.25"], "no inputs"),
        (None, ["--outcome", OUTCOME, "--threshold", "0.25", "--min-coverage", "0"], "coverage"),
        ("missing", ["--outcome", OUTCOME, "--threshold", "0.25"], "no such results file"),
    ],
)
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, capsys, change, args, needle):
    t = _planted()
    if change == "no_inputs":
        t = t[["scenario", "seed", OUTCOME]]
    src = _write(tmp_path, t)
    target = str(tmp_path / "elsewhere") if change == "missing" else str(src)
    out = tmp_path / "o"
    before = sorted(p.name for p in src.parent.iterdir())
    assert main(["discover", target, *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and needle in err, err
    assert not out.exists() and sorted(p.name for p in src.parent.iterdir()) == before


def test_a_user_folder_is_never_written_into(tmp_path, capsys) -> None:
    src = _write(tmp_path, _planted())
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    args = [str(src), "--outcome", OUTCOME, "--threshold", "0.25", "--out", str(mine)]
    assert main(["discover", *args]) == 2
    assert "holds other files" in capsys.readouterr().err
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_input_columns_are_declared_parameters_and_a_varying_scenario() -> None:
    t = _planted()
    t["not_a_parameter"] = 1.0
    t["firms.npv_response"] = 0.14  # constant: nothing to peel
    cols = d.input_columns(t)
    assert "not_a_parameter" not in cols and "firms.npv_response" not in cols
    assert cols[-1] == "scenario" and "seed" not in cols
    assert "scenario" not in d.input_columns(t[t.scenario == "baseline"])


@pytest.mark.slow
def test_discover_on_a_real_sweep(tmp_path, capsys) -> None:
    """A small real sweep (LHS over demand growth and risk aversion, one-year runs): runs with
    high December dependency are found where demand grows fast."""
    exp = tmp_path / "tiny.toml"
    exp.write_text(
        'scenario = "baseline"\nyears = 1\nseed = 5\nreplications = 1\n'
        'outcomes = ["import_dependency.critical_mean.end"]\n'
        "[uncertainties]\n"
        '"market.demand_growth_shift_frac_per_year" = { min = -0.1, max = 0.3 }\n'
        '"investors.risk_aversion" = { min = 5.0, max = 20.0 }\n'
        '[design]\nsampler = "lhs"\nsamples = 12\n'
    )
    out = tmp_path / "sweep"
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "1"]) == 0
    results = pd.read_parquet(out / "results.parquet")
    name = "import_dependency.critical_mean.end"
    cut = float(results[name].median())
    q = d.Question(name, cut, below=False)
    found = d.discover(out, q, out=tmp_path / "disc", min_coverage=0.5)
    assert found.data.source.name == "results.parquet"
    assert "market.demand_growth_shift_frac_per_year" in set(found.box.input)
    lo = found.box.set_index("input").loc["market.demand_growth_shift_frac_per_year", "min"]
    assert lo > -0.1  # the box keeps the fast-growth end


def test_ema_names_read_as_dotted_names(tmp_path) -> None:
    """A table saved from EMA's experiments and outcomes has `__` names, in columns and in
    the question; they are the dotted names, and the same box is found."""
    from abm.ema import ema_name

    table = _planted()
    src = _write(tmp_path, table.rename(columns=ema_name), name="ema.csv")
    assert "processing__build_months" in pd.read_csv(src).columns
    q = d.Question(ema_name(OUTCOME), 0.25, below=True)
    assert q.outcome == OUTCOME and q.text == f"{OUTCOME} < 0.25"
    found = d.discover(src, q, out=tmp_path / "disc", min_coverage=0.8)
    assert set(found.box.input) == {"processing.build_months", "trade.rules_of_origin"}
