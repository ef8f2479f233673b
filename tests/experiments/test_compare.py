"""``abm compare``: bad input, worker-count invariance, resume after interruption, outputs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from abm.cli import main

REPO = Path(__file__).resolve().parents[2]
SMALL = """
description = "test"
scenarios = ["baseline", "mx_pre_reform"]
replications = {reps}
seed = 7
years = {years}
outcomes = ["investment_share.*", "exploration_usd.MX", "import_dependency.*.end"]
"""


def _experiment(tmp_path: Path, reps: int = 2, years: int = 2, name: str = "small") -> Path:
    p = tmp_path / f"{name}.toml"
    p.write_text(SMALL.format(reps=reps, years=years))
    return p


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('scenarios = ["baseline"]\nbogus = 1\n', "unknown key 'bogus'"),
        ('scenarios = ["baseline", "atlantis"]\n', "atlantis"),
        ('scenarios = ["baseline"\n', "TOML"),
        ('scenarios = ["baseline"]\nreplications = 1\n', "replications"),
        ('scenarios = ["baseline"]\nreference = "x"\n', "reference"),
        ('scenarios = ["baseline"]\noutcomes = ["nothing.*"]\n', "outcomes"),
    ],
)
def test_bad_experiment_one_line_exit_2_nothing_written(tmp_path, capsys, text, needle) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    out = tmp_path / "out"
    assert main(["compare", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and needle in err and "bad.toml" in err
    assert not out.exists()


def test_unknown_experiment_name(capsys) -> None:
    assert main(["compare", "no_such_experiment"]) == 2
    assert "no such experiment" in capsys.readouterr().err


def test_same_results_whatever_the_workers_and_resume_redoes_nothing(tmp_path, capsys) -> None:
    exp = _experiment(tmp_path)
    one, two = tmp_path / "one", tmp_path / "two"
    assert main(["compare", str(exp), "--workers", "1", "--out", str(one), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert main(["compare", str(exp), "--workers", "2", "--out", str(two), "--quiet"]) == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(one / "runs.parquet"), pd.read_parquet(two / "runs.parquet")
    )
    s1, s2 = pd.read_csv(one / "summary.csv"), pd.read_csv(two / "summary.csv")
    pd.testing.assert_frame_equal(s1, s2)
    # the printed table is summary.csv
    # per scenario 3 shares + 1 exploration + 11 dependencies (9 minerals, the mean and the
    # value-weighted aggregate); for the other 11 paired reductions and the supply and demand
    # parts of 10 (the value-weighted set's 9 critical minerals and the aggregate)
    assert "investment_share.MX" in printed and len(s1) == 2 * 15 + 11 + 2 * 10
    for f in ("report.md", "outcomes.csv", "manifest.json", "plots/differences.png"):
        assert (one / f).exists(), f
    assert (one / "plots" / "import_dependency.svg").exists()
    capsys.readouterr()
    assert main(["compare", str(exp), "--workers", "1", "--out", str(one), "--quiet"]) == 0
    assert "0 runs made, 4 reused" in capsys.readouterr().out
    report = (one / "report.md").read_text()
    assert "mx_pre_reform" in report and "distinguishable" in report
    assert "seeds derived from master seed 7" in report


def test_killed_compare_resumes_with_finished_runs(tmp_path) -> None:
    exp = _experiment(tmp_path, reps=6, years=3, name="killme")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "abm", "compare", str(exp), "--workers", "1", "--out", str(out)]
    cmd.append("--quiet")
    proc = subprocess.Popen(cmd, cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / "runs").glob("*.parquet"))) < 3:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    kept = sorted(p.name for p in (out / "runs").glob("*.parquet"))
    assert 3 <= len(kept) < 12, "the compare finished before it could be killed"
    assert not (out / "summary.csv").exists()
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    assert "reused" in r.stdout and f"{len(kept)} reused" in r.stdout
    fresh = tmp_path / "fresh"
    assert main(["compare", str(exp), "--workers", "2", "--out", str(fresh), "--quiet"]) == 0
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "summary.csv"), pd.read_csv(fresh / "summary.csv")
    )
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs.groupby(["scenario", "seed"]).ngroups == 12


def test_top_level_outputs_are_one_set_and_more_replications_reuse_runs(
    tmp_path, monkeypatch, capsys
) -> None:
    import abm.experiments.compare as compare_module

    exp = _experiment(tmp_path)
    out = tmp_path / "out"
    assert main(["compare", str(exp), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def killed(*_a, **_k):
        raise RuntimeError("killed while plotting")

    monkeypatch.setattr(compare_module, "write_plots", killed)
    args = ["compare", str(exp), "--replications", "3", "--workers", "1", "--out", str(out)]
    assert main([*args, "--quiet"]) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert len(list((out / "runs").glob("*.parquet"))) == 6  # finished runs are kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "small.toml"]
    monkeypatch.undo()
    capsys.readouterr()
    assert main([*args, "--quiet"]) == 0
    assert "0 runs made, 6 reused" in capsys.readouterr().out  # seeds are prefix-stable
    assert pd.read_csv(out / "outcomes.csv").groupby("scenario").size().tolist() == [3, 3]


def test_compare_files_take_uncertainties_with_the_sweep_syntax(tmp_path) -> None:
    from abm.experiments.experiment_file import load_experiment
    from abm.experiments.uncertain import Uncertainty

    plain = _experiment(tmp_path)
    assert load_experiment(plain, "compare").uncertainties == ()
    ranged = tmp_path / "ranged.toml"
    ranged.write_text(
        plain.read_text()
        + '[uncertainties]\n"market.price_volatility_scale" = { min = 0.5, max = 1.5 }\n'
    )
    spec = load_experiment(ranged, "compare")
    assert spec.uncertainties == (Uncertainty("market.price_volatility_scale", "float", 0.5, 1.5),)


def test_one_seed_scheme_for_every_kind(tmp_path) -> None:
    from abm.experiments.design import build_design
    from abm.experiments.experiment_file import load_experiment, replication_seeds

    spec = load_experiment(_experiment(tmp_path, reps=4), "compare")
    assert spec.seeds == replication_seeds(7, 4) and spec.master_seed == 7
    sweep = tmp_path / "sweep.toml"
    sweep.write_text("seed = 7\nreplications = 4\nyears = 1\n")
    assert build_design(load_experiment(sweep, "sweep")).seeds == spec.seeds
    assert replication_seeds(7, 2) == spec.seeds[:2]  # prefix-stable
    assert len(set(replication_seeds(7, 5000))) == 5000


def test_outputs_come_from_per_run_parts_and_a_store_without_them_still_works(tmp_path) -> None:
    """Each worker stores its run's parts (outcome row, plotted series, limit rows) beside the
    timeseries; the outputs are built from them. Runs kept from a compare that stored no parts
    (an older version) get them computed from their timeseries, with the same outputs."""
    import shutil

    from abm.experiments import compare as c
    from abm.experiments.plots import annual, monthly
    from abm.experiments.report import limit_frame

    exp = _experiment(tmp_path, years=1)
    out, old = tmp_path / "out", tmp_path / "old"
    assert main(["compare", str(exp), "--workers", "2", "--out", str(out), "--quiet"]) == 0
    ids = sorted(p.stem for p in (out / "runs").glob("*.parquet"))
    assert len(ids) == 4
    for name in c.PARTS:  # one file per run and part
        assert sorted(p.stem for p in (out / "runs" / name).glob("*.parquet")) == ids
    ts = pd.read_parquet(out / "runs" / f"{ids[0]}.parquet")
    stored = {n: pd.read_parquet(out / "runs" / n / f"{ids[0]}.parquet") for n in c.PARTS}
    for name, frame in (("annual", annual(ts)), ("monthly", monthly(ts))):
        pd.testing.assert_frame_equal(stored[name], frame.reset_index(drop=True), obj=name)
    pd.testing.assert_frame_equal(stored["limits"], limit_frame(ts), check_names=False)
    assert len(stored["monthly"]) + len(stored["limits"]) < len(ts) / 10  # what is drawn only
    row = pd.read_csv(out / "outcomes.csv").set_index(["scenario", "seed"])
    key = (stored["outcomes"].scenario[0], stored["outcomes"].seed[0])
    assert row.loc[key, "investment_share.MX"] == stored["outcomes"]["investment_share.MX"][0]
    # the same store without its parts, as an older compare left it
    shutil.copytree(out, old)
    for name in c.PARTS:
        shutil.rmtree(old / "runs" / name)
    assert main(["compare", str(exp), "--workers", "1", "--out", str(old), "--quiet"]) == 0
    for f in ("outcomes.csv", "summary.csv", "plots/import_dependency.png"):
        assert (old / f).read_bytes() == (out / f).read_bytes(), f

    def text(folder: Path) -> list[str]:  # the report, less its line of runs made and seconds
        return [x for x in (folder / "report.md").read_text().splitlines() if "runs made" not in x]

    assert text(old) == text(out) and "What limits the reduction" in "\n".join(text(out))
    assert (old / "runs" / "limits" / f"{ids[0]}.parquet").exists()  # stored for next time
