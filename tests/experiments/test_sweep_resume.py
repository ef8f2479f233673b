"""A sweep killed with SIGKILL part-way resumes to the same dataset as an uninterrupted one."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from abm import cli
from abm.experiments.engine import _proc_stat

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENT = """\
scenario = "baseline"
years = 3
seed = 5
replications = 5
outcomes = ["investment_share.MX", "exploration_usd.MX"]
[levers]
"government.MX.royalty_rate" = [0.05, 0.075, 0.085, 0.1, 0.12, 0.15, 0.2, 0.25]
"""
N_RUNS = 40


def test_kill_9_then_resume_equals_uninterrupted(tmp_path) -> None:
    path = tmp_path / "killme.toml"
    path.write_text(EXPERIMENT)
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "abm", "sweep", str(path), "--out", str(killed)]
    proc = subprocess.Popen(
        [*cmd, "--workers", "2"],
        start_new_session=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while len(list((killed / "runs").glob("*.parquet"))) < 4:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "no per-run files after 90 s"
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker processes
        proc.wait(timeout=30)
    done_at_kill = len(list((killed / "runs").glob("*.parquet")))
    assert done_at_kill < N_RUNS and not (killed / "results.parquet").exists()

    assert cli.main(["sweep", str(path), "--out", str(killed), "--resume", "--workers", "1"]) == 0
    assert cli.main(["sweep", str(path), "--out", str(clean), "--workers", "1"]) == 0
    resumed = pd.read_parquet(killed / "results.parquet")
    reference = pd.read_parquet(clean / "results.parquet")
    assert len(resumed) == N_RUNS and resumed.run_id.is_unique
    assert resumed[["investment_share.MX", "exploration_usd.MX"]].notna().all().all()
    pd.testing.assert_frame_equal(resumed, reference)  # bit-identical, 2 workers vs 1
    assert len(list((killed / "runs").glob("*.parquet"))) == N_RUNS
    assert not list((killed / "runs").glob(".*.tmp"))


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of process group ``pgid``."""
    out = []
    for entry in Path("/proc").iterdir():
        fields = _proc_stat(int(entry.name)) if entry.name.isdigit() else None
        if fields and fields[0] != "Z" and int(fields[2]) == pgid:  # state, ppid, pgrp
            out.append(int(entry.name))
    return out


def test_workers_exit_when_only_the_sweep_process_is_killed(tmp_path) -> None:
    """kill -9 of the sweep alone (not its group): its workers, the fork server and the
    resource tracker must not linger, idle, holding memory."""
    path = tmp_path / "orphans.toml"
    path.write_text(EXPERIMENT)
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "abm", "sweep", str(path), "--out", str(out), "--workers", "2"]
    proc = subprocess.Popen(
        cmd, start_new_session=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 90
        while len(list((out / "runs").glob("*.parquet"))) < 2:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        assert len(_group_members(proc.pid)) >= 3  # the sweep and two workers at least
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 15
        while (left := _group_members(proc.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not left, f"processes left after the sweep was killed: {left}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
