"""Inputs that must act, not be refused (issue 28), and the refusals that need more than a
row of tests/test_fuzz_inputs.py (a FIFO, the EMA model's arguments): names and paths
resolve by one rule, paths inside a file from that file's folder, a price CSV is checked
against the months the run covers, and discover's folder inside a result is the tool's own.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest

from abm import atomic
from abm.cli import main
from abm.experiments.experiment_file import load_experiment
from abm.params.data import load_minerals
from abm.params.scenario import ScenarioError, load_scenario, parse_override
from abm.params.schema import MINERALS

MONTHS_2025 = [f"2025-{k:02d}" for k in range(1, 13)]


def price_csv(path: Path, months: list[str]) -> Path:
    """Every mineral at its table price for each of ``months``."""
    rows = ["mineral,month,price_usd_per_t"]
    for m, p in zip(MINERALS, load_minerals().price_usd_per_t, strict=True):
        rows += [f"{m},{mo},{p * 1.5}" for mo in months]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_folder_named_like_a_scenario_does_not_hide_it(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline").mkdir()
    (tmp_path / "c.toml").write_text('scenarios = ["baseline", "mx_pre_reform"]\nyears = 1\n')
    assert load_scenario("baseline").name == "baseline"
    exp = load_experiment(tmp_path / "c.toml", "compare")
    assert [s.name for s in exp.scenarios] == ["baseline", "mx_pre_reform"]
    assert main(["run", "baseline", "--years", "1", "--out", "o"]) == 0, capsys.readouterr()
    assert json.loads((tmp_path / "o" / "summary.json").read_text())
    # a path still means the file: with a separator or a .toml suffix
    with pytest.raises(ScenarioError, match="baseline: scenario file not found"):
        load_scenario("./baseline")


def test_a_price_csv_covering_a_one_year_run_runs_and_reruns_from_anywhere(
    tmp_path, monkeypatch, capsys
) -> None:
    folder = tmp_path / "study"
    price_csv(folder / "data" / "prices.csv", MONTHS_2025)
    (folder / "s.toml").write_text(
        'inherits = "baseline"\n[market]\nprice_path = "data/prices.csv"\n'
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # relative to the file's folder, not the current one
    code = main(["run", str(folder / "s.toml"), "--years", "1", "--out", "o"])
    assert code == 0, capsys.readouterr().err
    written = elsewhere / "o" / "scenario.toml"
    recorded = tomllib.loads(written.read_text())["market"]["price_path"]
    assert recorded == str((folder / "data" / "prices.csv").resolve())
    third = tmp_path / "third"
    third.mkdir()
    monkeypatch.chdir(third)
    assert main(["run", str(written), "--out", "again"]) == 0, capsys.readouterr().err
    a = (elsewhere / "o" / "timeseries.parquet").read_bytes()
    assert a == (third / "again" / "timeseries.parquet").read_bytes()


def test_a_bare_path_in_set_is_a_string_made_absolute(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    price_csv(tmp_path / "p" / "prices.csv", MONTHS_2025)
    key, value = parse_override("market.price_path=p/prices.csv")
    assert (key, value) == ("market.price_path", str(tmp_path / "p" / "prices.csv"))
    assert parse_override("market.price_path=history")[1] == "history"


def test_discover_inside_a_compare_result_is_the_tools_own(tmp_path) -> None:
    out = tmp_path / "cmp"
    with atomic.claim(out, "compare") as claim:
        claim.start_in_place()
    (out / "outcomes.csv").write_text("x\n")
    found = out / f"{atomic.DISCOVER_PREFIX}x-above-1"
    found.mkdir()
    (found / atomic.DISCOVER_FILE).write_text("{}\n")
    assert atomic.check_out(out, "compare") == out
    (out / f"{atomic.DISCOVER_PREFIX}y").mkdir()  # not discover's (no discover.json)
    with pytest.raises(ScenarioError, match="did not write"):
        atomic.check_out(out, "compare")


def test_discover_out_a_fifo_is_one_line(tmp_path, capsys) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code = main(["discover", "x", "--outcome", "x", "--threshold", "1", "--out", str(fifo)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "pipe" in err[0] and "not a folder" in err[0]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"uncertainties": {"market.price_volatility_scale": "high"}}, "got 'high'"),
        ({"uncertainties": {"market.price_volatility_scale": (0.5, 1, 2)}}, "(low, high)"),
        ({"levers": {"government.MX.royalty_rate": 0.1}}, "(low, high)"),
        ({"seed": -1}, "seed: must be a whole number"),
    ],
)
def test_ema_model_arguments_are_one_line(kwargs, needle) -> None:
    import abm.ema

    with pytest.raises(ScenarioError) as err:
        abm.ema.model(**kwargs)
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_an_experiment_checks_a_price_csv_against_its_years(tmp_path) -> None:
    price_csv(tmp_path / "prices.csv", MONTHS_2025)
    (tmp_path / "s.toml").write_text('inherits = "baseline"\n[market]\nprice_path = "prices.csv"\n')
    lever = '[levers]\n"government.MX.royalty_rate" = [0.08, 0.1]\n'
    (tmp_path / "one.toml").write_text('scenario = "s.toml"\nyears = 1\n' + lever)
    exp = load_experiment(tmp_path / "one.toml", "sweep")
    assert exp.years == 1 and exp.scenario["simulation.years"] == 1  # what will run
    assert load_experiment(tmp_path / "one.toml", "sweep", years=1).years == 1
    with pytest.raises(ScenarioError) as err:  # two years: the CSV ends in 2025
        load_experiment(tmp_path / "one.toml", "sweep", years=2)
    message = str(err.value)
    assert "one.toml: scenario" in message and "prices.csv" in message and "2026-01" in message
