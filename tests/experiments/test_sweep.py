"""abm sweep: validation of experiment files, designs, refusal/resume rules, failed runs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm import cli
from abm.experiments import sweep
from abm.experiments.design import build_design, replication_seeds
from abm.experiments.experiment_file import load_experiment

TINY = """\
scenario = "baseline"
years = 1
seed = 11
replications = 2
outcomes = ["investment_share.MX", "government_revenue_usd.MX"]
[levers]
"government.MX.royalty_rate" = [0.085, 0.2]
"""


def write(tmp_path: Path, text: str, name: str = "tiny") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def test_grid_sweep_writes_results_in_design_order(tmp_path, capsys) -> None:
    out = tmp_path / "out"
    assert cli.main(["sweep", str(write(tmp_path, TINY)), "--out", str(out), "--workers", "1"]) == 0
    table = pd.read_parquet(out / "results.parquet")
    assert list(table.run_id) == ["p00000-r000", "p00000-r001", "p00001-r000", "p00001-r001"]
    assert list(table["government.MX.royalty_rate"]) == [0.085, 0.085, 0.2, 0.2]
    assert table[["investment_share.MX", "government_revenue_usd.MX"]].notna().all().all()
    assert (table.error == "").all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["design"]["replication_seeds"] == list(table.seed[:2])
    assert manifest["design"]["points"] == [[0.085], [0.2]]
    assert len(manifest["experiment_sha256"]) == 64
    assert "4 runs (4 ran, 0 reused, 0 failed)" in capsys.readouterr().out


def test_design_is_determined_by_the_master_seed(tmp_path) -> None:
    text = TINY + '[uncertainties]\n"market.price_volatility_scale" = { min = 0.5, max = 1.5 }\n'
    path = write(tmp_path, text + '[design]\nsampler = "lhs"\nsamples = 3\n')
    a, b = build_design(load_experiment(path)), build_design(load_experiment(path))
    pd.testing.assert_frame_equal(a.points, b.points)
    assert a.fingerprint() == b.fingerprint()
    assert len(a.points) == 2 * 3  # grid x sample
    assert len(set(replication_seeds(11, 50))) == 50
    assert replication_seeds(11, 3) != replication_seeds(12, 3)
    x = a.points["market.price_volatility_scale"].to_numpy()
    assert np.all((x >= 0.5) & (x <= 1.5))


BAD = {
    "unknown key": (TINY + '"government.MX.royalty_rat" = [0.1]\n', "government.MX.royalty_rat"),
    "out of bounds": (TINY.replace("0.2]", "1.2]"), "government.MX.royalty_rate"),
    "broken TOML": (TINY + "[levers\n", "malformed TOML"),
    "unknown scenario": (TINY.replace('"baseline"', '"nowhere"'), "scenario"),
    "unknown outcome": (TINY.replace('"investment_share.MX"', '"share.MX"'), "outcomes"),
    "bad range": (
        TINY + '[uncertainties]\n"investors.risk_aversion" = { min = 9.0, max = 2.0 }\n'
        '[design]\nsampler = "lhs"\nsamples = 2\n',
        "investors.risk_aversion",
    ),
    "range beyond bounds": (
        TINY + '[uncertainties]\n"investors.risk_aversion" = { min = 1.0, max = 99.0 }\n'
        '[design]\nsampler = "lhs"\nsamples = 2\n',
        "investors.risk_aversion",
    ),
    "unknown top-level key": (TINY.replace("seed = 11", "seeds = 11"), "seeds"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_experiment_is_one_line_exit_2_nothing_written(tmp_path, capsys, case) -> None:
    text, key = BAD[case]
    path, out = write(tmp_path, text), tmp_path / "out"
    assert cli.main(["sweep", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert key in err and str(path) in err
    assert not out.exists()


def test_unknown_experiment_name(capsys) -> None:
    assert cli.main(["sweep", "no_such_experiment"]) == 2
    assert "no_such_experiment: no such experiment" in capsys.readouterr().err


def test_existing_results_refused_and_changed_experiment_not_resumed(tmp_path, capsys) -> None:
    path, out = write(tmp_path, TINY), tmp_path / "out"
    args = ["sweep", str(path), "--out", str(out), "--workers", "1"]
    assert cli.main(args) == 0
    assert cli.main(args) == 2
    assert "--resume" in capsys.readouterr().err
    assert cli.main([*args, "--resume"]) == 0
    assert "0 ran, 4 reused" in capsys.readouterr().out
    path.write_text(TINY.replace("0.2]", "0.25]"))
    assert cli.main([*args, "--resume"]) == 2
    err = capsys.readouterr().err
    assert "experiment changed" in err and "manifest.json" in err
    assert cli.main([*args, "--resume", "--years", "2"]) == 2  # a different design, too
    capsys.readouterr()
    assert cli.main([*args, "--force"]) == 0  # replaces the earlier result
    assert "4 runs (4 ran, 0 reused" in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["design"]["points"] == [[0.085], [0.25]]
    (out / "notes.txt").write_text("mine")  # a user's file: never replaced, even with --force
    assert cli.main([*args, "--force"]) == 2
    assert "did not write (notes.txt)" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "mine"


def test_failed_run_recorded_and_sweep_goes_on(tmp_path, capsys, monkeypatch) -> None:
    real_run = sweep.run

    def flaky(scenario, seed, years, overrides, **kw):
        if overrides["government.MX.royalty_rate"] == 0.2:
            raise RuntimeError("model blew up")
        return real_run(scenario, seed=seed, years=years, overrides=overrides, **kw)

    monkeypatch.setattr(sweep, "run", flaky)
    path, out = write(tmp_path, TINY), tmp_path / "out"
    args = ["sweep", str(path), "--out", str(out), "--workers", "1"]
    assert cli.main(args) == 1
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert "2 failed" in line and f"{out / 'runs'}/*.error.txt" in line
    table = pd.read_parquet(out / "results.parquet")
    bad = table["government.MX.royalty_rate"] == 0.2
    assert (table.error[bad] == "RuntimeError: model blew up").all()
    assert table.loc[bad, "investment_share.MX"].isna().all()
    assert table.loc[~bad, "investment_share.MX"].notna().all()
    assert "model blew up" in (out / "runs" / "p00001-r000.error.txt").read_text()

    monkeypatch.setattr(sweep, "run", real_run)
    assert cli.main([*args, "--resume"]) == 0
    assert "2 ran, 2 reused, 0 failed" in capsys.readouterr().out
    table = pd.read_parquet(out / "results.parquet")
    assert table["investment_share.MX"].notna().all() and (table.error == "").all()
    assert not list((out / "runs").glob("*.error.txt"))
