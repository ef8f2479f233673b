"""A sweep through a real Dask cluster (scheduler + 2 workers on 127.0.0.1) equals a local one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from abm import cli

ROOT = Path(__file__).resolve().parents[2]
DASK = Path(sys.executable).with_name("dask")
START_TIMEOUT_S = 90
EXPERIMENT = """\
scenario = "baseline"
years = 2
seed = 3
replications = 2
outcomes = ["investment_share.MX", "exploration_usd.NA", "import_dependency.lithium.end"]
[levers]
"government.MX.precious_metals_duty" = [0.0, 0.02]
[uncertainties]
"investors.risk_aversion" = { min = 5.0, max = 15.0 }
[design]
sampler = "lhs"
samples = 2
"""


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Address of a scheduler with two single-threaded workers; all stopped afterwards."""
    from distributed import Client

    tmp = tmp_path_factory.mktemp("dask")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = (tmp / "cluster.log").open("w")
    procs: list[subprocess.Popen] = []

    def start(*args: str) -> None:
        procs.append(
            subprocess.Popen(
                [str(DASK), *args], env=env, cwd=tmp, stdout=log, stderr=log, start_new_session=True
            )
        )

    try:
        info = tmp / "scheduler.json"
        start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
              "--scheduler-file", str(info))  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT_S
        while not info.exists():
            assert procs[0].poll() is None, "dask scheduler exited"
            assert time.monotonic() < deadline, "dask scheduler did not start"
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        one = ("--nworkers", "1", "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1")
        for i in range(2):
            start("worker", address, *one, "--name", f"w{i}", "--local-directory", str(tmp))
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=START_TIMEOUT_S)
        yield address
    finally:
        _stop(procs)
        log.close()


def test_cluster_sweep_equals_local(tmp_path, scheduler, capsys) -> None:
    path = tmp_path / "cluster.toml"
    path.write_text(EXPERIMENT)
    remote, local = tmp_path / "remote", tmp_path / "local"
    assert cli.main(["sweep", str(path), "--out", str(remote), "--scheduler", scheduler]) == 0
    assert "8 runs (8 ran, 0 reused, 0 failed)" in capsys.readouterr().out
    assert cli.main(["sweep", str(path), "--out", str(local), "--workers", "1"]) == 0
    a = pd.read_parquet(remote / "results.parquet")
    b = pd.read_parquet(local / "results.parquet")
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 8 and a["investment_share.MX"].notna().all()
    ma, mb = (json.loads((d / "manifest.json").read_text()) for d in (remote, local))
    assert ma["design"] == mb["design"]
    # resuming through the cluster redoes nothing
    args = ["sweep", str(path), "--out", str(remote), "--scheduler", scheduler, "--resume"]
    assert cli.main(args) == 0
    assert "0 ran, 8 reused" in capsys.readouterr().out


def test_unreachable_scheduler_is_bad_input(tmp_path, capsys, monkeypatch) -> None:
    from abm.experiments import dask_backend

    monkeypatch.setattr(dask_backend, "CONNECT_TIMEOUT_S", 3)
    path = tmp_path / "cluster.toml"
    path.write_text(EXPERIMENT)
    out = tmp_path / "out"
    nowhere = ["--scheduler", "tcp://127.0.0.1:9"]  # the discard port: nothing listens
    assert cli.main(["sweep", str(path), "--out", str(out), *nowhere]) == 2
    err = capsys.readouterr().err.strip()
    assert "cannot connect" in err and len(err.splitlines()) == 1
    assert not out.exists()
