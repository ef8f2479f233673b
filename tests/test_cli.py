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


def test_written_scenario_loads_again_with_its_seed(tmp_path):
    first, again = tmp_path / "first", tmp_path / "again"
    r = abm_cmd("run", "--seed", "5", "--years", "1", "--out", str(first))
    assert r.returncode == 0, r.stderr
    r = abm_cmd("run", str(first / "scenario.toml"), "--years", "1", "--out", str(again))
    assert r.returncode == 0, r.stderr
    assert "seed 5 as recorded" in r.stdout
    pd.testing.assert_frame_equal(
        pd.read_parquet(first / "timeseries.parquet"), pd.read_parquet(again / "timeseries.parquet")
    )
    assert json.loads((again / "summary.json").read_text())["scenario"] == "baseline"


def test_out_replaces_an_earlier_result_but_never_user_files(tmp_path, capsys):
    from abm import atomic
    from abm.cli import main

    out = tmp_path / "res"
    assert main(["run", "--years", "1", "--seed", "1", "--out", str(out)]) == 0
    assert json.loads((out / atomic.MARKER).read_text())["command"] == "run"
    # a killed earlier writer's leftovers beside the folder are cleaned on the next run
    (tmp_path / f".res{atomic.TMP_TAG}dead").mkdir()
    (tmp_path / f".res{atomic.TMP_TAG}dead" / "timeseries.parquet").write_text("half")
    assert main(["run", "--years", "1", "--seed", "2", "--out", str(out)]) == 0
    assert json.loads((out / "summary.json").read_text())["seed"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]
    # a user's file in the folder makes it not ours: refused, even with --force
    (out / "notes.txt").write_text("mine")
    capsys.readouterr()
    assert main(["run", "--years", "1", "--out", str(out), "--force"]) == 2
    assert "did not write (notes.txt)" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "mine"
    # another command's result is replaced only with --force
    (out / "notes.txt").unlink()
    marker = json.loads((out / atomic.MARKER).read_text())
    (out / atomic.MARKER).write_text(json.dumps({**marker, "command": "compare"}))
    assert main(["run", "--years", "1", "--out", str(out)]) == 2
    assert "abm compare" in capsys.readouterr().err
    assert main(["run", "--years", "1", "--out", str(out), "--force"]) == 0


def test_a_swap_killed_between_its_renames_is_put_back(tmp_path):
    from abm import atomic

    out = tmp_path / "res"
    old = tmp_path / f".res{atomic.OLD_TAG}"
    old.mkdir()
    (old / atomic.MARKER).write_text('{"command": "run"}')
    (old / "summary.json").write_text("{}")
    with atomic.claim(out, "run"):
        assert (out / "summary.json").exists() and not old.exists()


def test_a_second_writer_to_the_same_out_is_refused(tmp_path):
    out = tmp_path / "res"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from abm import atomic\n"
            f"with atomic.claim({str(out)!r}, 'run'):\n"
            "    print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        r = abm_cmd("run", "--years", "1", "--out", str(out))
        assert r.returncode == 2
        assert f"another abm process (pid {holder.pid})" in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    finally:
        holder.kill()
        holder.wait()
    r = abm_cmd("run", "--years", "1", "--out", str(out))  # the kernel freed the lock
    assert r.returncode == 0, r.stderr


def test_a_very_large_run_is_refused_with_its_size():
    from abm.params.scenario import MAX_AGENT_MONTHS, load_scenario, run_size

    base = load_scenario("baseline").values
    assert run_size(base) == 340 * 120  # firms and investors x months of the default decade
    big = {**base, "simulation.population_scale": 100.0, "firms.n_juniors": 100000}
    assert (
        run_size(big) > MAX_AGENT_MONTHS > run_size({**base, "simulation.population_scale": 100.0})
    )
