"""The run engine: atomic per-run files, resume, failures recorded, worker-count invariance."""

from __future__ import annotations

import os
import subprocess
import time

import numpy as np
import pandas as pd
import pytest

from abm.experiments.engine import (
    Task,
    _alive,
    _proc_stat,
    execute,
    fingerprint,
    load_results,
    result_path,
)


def draw_worker(task: Task) -> pd.DataFrame:
    """Toy worker: draws from the task's seed; fails on seed 3."""
    if task.seed == 3:
        raise RuntimeError("seed three is cursed")
    rng = np.random.default_rng(task.seed)
    return pd.DataFrame({"run_id": [task.run_id], "x": [rng.normal()]})


def _tasks(n: int) -> list[Task]:
    return [Task(f"r{s}", "baseline", s) for s in range(n)]


def test_failures_recorded_and_others_finish(tmp_path) -> None:
    out = execute(_tasks(5), draw_worker, tmp_path, progress=False)
    assert sorted(out.ran) == ["r0", "r1", "r2", "r4"]
    assert list(out.failed) == ["r3"]
    assert "seed three is cursed" in out.failed["r3"]
    assert "RuntimeError" in (tmp_path / "r3.error.txt").read_text()
    assert not result_path(tmp_path, "r3").exists()


def test_resume_redoes_nothing(tmp_path) -> None:
    first = execute(_tasks(3), draw_worker, tmp_path, progress=False)
    mtimes = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.parquet")}
    again = execute(_tasks(6), draw_worker, tmp_path, progress=False)
    assert sorted(first.ran) == ["r0", "r1", "r2"]
    assert sorted(again.reused) == ["r0", "r1", "r2"]
    assert sorted(again.ran) == ["r4", "r5"]  # r3 fails again
    for name, t in mtimes.items():
        assert (tmp_path / name).stat().st_mtime_ns == t


def test_same_results_whatever_the_workers(tmp_path) -> None:
    one = execute(_tasks(6), draw_worker, tmp_path / "one", workers=1, progress=False)
    two = execute(_tasks(6), draw_worker, tmp_path / "two", workers=2, progress=False)
    assert sorted(one.ran) == sorted(two.ran)
    a, b = load_results(_tasks(6), tmp_path / "one"), load_results(_tasks(6), tmp_path / "two")
    pd.testing.assert_frame_equal(a, b)
    assert list(a.run_id) == ["r0", "r1", "r2", "r4", "r5"]  # task order, not finish order


def test_duplicate_ids_refused(tmp_path) -> None:
    with pytest.raises(ValueError, match="unique"):
        execute([Task("a", "baseline", 1), Task("a", "baseline", 2)], draw_worker, tmp_path)


def test_fingerprint_changes_with_inputs() -> None:
    assert fingerprint({"a": 1}) == fingerprint({"a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


def test_parent_watch_sees_exit_zombie_and_reused_id() -> None:
    me = os.getpid()
    started = _proc_stat(me)[19]
    assert _alive(me, started) and _alive(me, None)
    assert not _alive(me, str(int(started) + 1))  # same id, another start: a reused id
    child = subprocess.Popen(["true"])
    deadline = time.monotonic() + 10
    while _proc_stat(child.pid)[0] != "Z" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not _alive(child.pid, None)  # exited, not yet reaped: a zombie
    child.wait()
    assert not _alive(child.pid, None)  # reaped: gone
