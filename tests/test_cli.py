"""End-to-end CLI: outputs written; bad input -> one line, exit 2, no traceback, no output."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

import pandas as pd
import pytest


def abm_cmd(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "abm", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_run_writes_timeseries_summary_and_resolved_scenario(tmp_path):
    out = tmp_path / "run"
    r = abm_cmd(
        "run",
        "baseline",
        "--seed",
        "3",
        "--years",
        "2",
        "--set",
        "government.MX.royalty_rate=0.1",
        "--out",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    assert "investment share" in r.stdout and "NA import dependency" in r.stdout
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert ts.date.max() == "2026-12"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 3 and summary["last_year"] == 2026
    scen = tomllib.loads((out / "scenario.toml").read_text())
    assert scen["government"]["MX"]["royalty_rate"] == 0.1
    assert not list(tmp_path.glob(".*"))  # no temp folders left behind


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "nosuch"], "unknown scenario 'nosuch'"),
        (["run", "--set", "government.MX.royalty_rate=1.5"], "government.MX.royalty_rate"),
        (["run", "--set", "government.MX.royalt=0.1"], "government.MX.royalt"),
        (["run", "--set", "government.US.permit_review_months=-1"], "permit_review_months"),
        (["run", "--years", "0"], "--years"),
    ],
)
def test_bad_input_is_one_clear_line_exit_2_and_nothing_written(tmp_path, args, needle):
    out = tmp_path / "out"
    r = abm_cmd(*args, "--out", str(out))
    assert r.returncode == 2
    assert needle in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_broken_scenario_file_names_the_file(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text('inherits = "baseline"\n[government.MX\n')
    r = abm_cmd("run", str(bad), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "broken.toml" in r.stderr and "malformed TOML" in r.stderr
    assert not (tmp_path / "o").exists()
