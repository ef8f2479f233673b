"""Run many model runs as independent tasks, one atomic file per finished run, resumable.

A :class:`Task` is one run (scenario, seed, overrides, years) with a stable ``run_id``. A
*worker* is a module-level function ``Task -> DataFrame`` (picklable, so it can go to another
process). :func:`execute` runs the tasks that have no file yet in ``store`` and writes each
result as ``store/<run_id>.parquet`` the moment it arrives (temporary file, then
``os.replace``), so an interrupted run, even by ``kill -9``, keeps every finished run and a
second call redoes nothing. A worker may also return :class:`Parts`: its result and small
tables derived from it in the worker (outcomes, the series a plot needs), each stored as
``store/<name>/<run_id>.parquet`` and written first, so a result file means its parts are
there; post-processing then reads the parts, never every result at once. A task
that raises is recorded in ``store/<run_id>.error.txt`` and the others go on; it is retried
on the next call.

Results depend only on each task (its seed), never on the number of workers or the order in
which runs finish: :func:`load_results` reads them back in task order.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from abm import atomic
from abm.params.scenario import Scenario, to_toml

Worker = Callable[["Task"], "pd.DataFrame | Parts"]


@dataclass
class Parts:
    """A worker's result and named tables derived from it (see the module docstring)."""

    result: pd.DataFrame
    parts: dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Task:
    """One model run: ``scenario`` (name, path or loaded), ``seed``, lever ``overrides``."""

    run_id: str
    scenario: str | Scenario
    seed: int
    overrides: tuple[tuple[str, Any], ...] = ()
    years: int | None = None

    def override_dict(self) -> dict[str, Any]:
        """The overrides as a dict."""
        return dict(self.overrides)


def fingerprint(*parts: Any) -> str:
    """Short stable hash of scenarios (their resolved TOML) and JSON-able values."""
    h = hashlib.sha256()
    for part in parts:
        text = to_toml(part) if isinstance(part, Scenario) else json.dumps(part, sort_keys=True)
        h.update(text.encode())
    return h.hexdigest()[:10]


@dataclass
class Outcome:
    """What one call of :func:`execute` did."""

    ran: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def result_path(store: Path, run_id: str) -> Path:
    """Where a finished run's result lives."""
    return store / f"{run_id}.parquet"


def part_path(store: Path, run_id: str, name: str) -> Path:
    """Where part ``name`` of a finished run lives (:class:`Parts`): one folder per part."""
    return store / name / f"{run_id}.parquet"


def error_path(store: Path, run_id: str) -> Path:
    """Where a failed run's traceback lives."""
    return store / f"{run_id}.error.txt"


def _last_line(error: str | None) -> str:
    lines = (error or "worker returned nothing").strip().splitlines()
    return lines[-1] if lines else "unknown error"


def safe_call(worker: Worker, task: Task) -> tuple[str, pd.DataFrame | Parts | None, str | None]:
    """Run ``worker(task)``; never raises (a failed run is data, not a crash)."""
    try:
        return task.run_id, worker(task), None
    except Exception:
        return task.run_id, None, traceback.format_exc()


Result = tuple[str, pd.DataFrame | Parts | None, str | None]


def _local(tasks: Sequence[Task], worker: Worker) -> Iterator[Result]:
    for task in tasks:
        yield safe_call(worker, task)


def worker_context() -> multiprocessing.context.BaseContext:
    """How worker processes start: never a fork of this (possibly threaded) process.

    Where the OS has it, a fork server that has imported the model once hands out workers in
    milliseconds; elsewhere each worker is spawned and imports it itself (about a second).
    Neither inherits this process's state, and each run depends only on its task, so results
    are the same either way. The fork server lives as long as this process: in a long-lived
    session (a notebook), workers keep the ``abm`` code imported at the first sweep, so restart
    the session after editing the model.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["abm.model"])
        return ctx
    return multiprocessing.get_context("spawn")


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of ``/proc/<pid>/stat`` after the command name (state first), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()
    except OSError:
        return None


def _alive(pid: int, started: str | None) -> bool:
    """Whether process ``pid`` still runs: not gone, not a zombie (killed, not yet reaped),
    and not another process that reused the id (a different start time, where /proc has it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else: a reused id unless the start time matches
    stat = _proc_stat(pid)
    if stat is None:
        return True  # no /proc (macOS): the signal test is all there is
    return stat[0] != "Z" and (started is None or stat[19] == started)


def _exit_with(pid: int, poll_seconds: float = 1.0) -> None:
    """Worker initializer: exit when the sweep's process ``pid`` is gone. A worker pool whose
    parent is killed (``kill -9``) would otherwise finish its task and wait for more forever."""
    if os.name != "posix":  # os.kill(pid, 0) would terminate the process on Windows
        return
    stat = _proc_stat(pid)
    started = stat[19] if stat else None  # field 22 of /proc/<pid>/stat: start time

    def watch() -> None:
        while _alive(pid, started):
            time.sleep(poll_seconds)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _processes(tasks: Sequence[Task], worker: Worker, workers: int) -> Iterator[Result]:
    ex = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=worker_context(),
        initializer=_exit_with,
        initargs=(os.getpid(),),
    )
    pending: set[Future] = set()
    todo = iter(tasks)
    try:
        while True:
            while len(pending) < 2 * workers and (task := next(todo, None)) is not None:
                pending.add(ex.submit(safe_call, worker, task))
            if not pending:
                return
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()
    finally:
        ex.shutdown(wait=not pending, cancel_futures=True)


def execute(
    tasks: Sequence[Task],
    worker: Worker,
    store: Path,
    workers: int = 1,
    progress: bool = True,
    desc: str = "runs",
    backend: Callable[[Sequence[Task], Worker], Iterable[Result]] | None = None,
) -> Outcome:
    """Run the tasks of ``tasks`` that have no result in ``store`` yet; see module docstring.

    ``workers`` > 1 uses that many local processes; ``backend`` (tasks, worker) -> iterable of
    :func:`safe_call` results replaces the local executor (e.g. a Dask cluster).
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    ids = [t.run_id for t in tasks]
    if len(set(ids)) != len(ids):
        raise ValueError("run ids are not unique")
    store = Path(store)
    store.mkdir(parents=True, exist_ok=True)
    for stale in [*store.glob(".*.tmp"), *store.glob("*/.*.tmp")]:
        stale.unlink(missing_ok=True)
    outcome = Outcome()
    todo = []
    for t in tasks:
        if result_path(store, t.run_id).exists():
            outcome.reused.append(t.run_id)
        else:
            todo.append(t)
    start = time.perf_counter()
    if backend is not None:
        results: Iterable[Result] = backend(todo, worker)
    elif workers == 1 or len(todo) <= 1:
        results = _local(todo, worker)
    else:
        results = _processes(todo, worker, min(workers, len(todo)))
    bar = tqdm(
        total=len(tasks),
        initial=len(outcome.reused),
        desc=desc,
        unit="run",
        disable=not progress,
        dynamic_ncols=True,
    )
    try:
        for run_id, frame, error in results:
            if error is None and frame is not None:
                if isinstance(frame, Parts):
                    for name, part in frame.parts.items():
                        write_parquet(part_path(store, run_id, name), part)
                    frame = frame.result
                write_parquet(result_path(store, run_id), frame)
                error_path(store, run_id).unlink(missing_ok=True)
                outcome.ran.append(run_id)
            else:
                error_path(store, run_id).write_text(error or "worker returned nothing\n")
                outcome.failed[run_id] = _last_line(error)
            bar.update(1)
            bar.set_postfix(failed=len(outcome.failed), refresh=False)
    finally:
        bar.close()
        if hasattr(results, "close"):
            results.close()  # shuts the process pool down on interruption
    outcome.seconds = time.perf_counter() - start
    return outcome


def write_parquet(path: Path, frame: pd.DataFrame) -> None:
    """``frame`` as ``path``, atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_file(path, lambda p: frame.to_parquet(p, index=False))


def load_results(tasks: Sequence[Task], store: Path) -> pd.DataFrame:
    """Finished results of ``tasks``, concatenated in task order (missing ones skipped)."""
    frames = [
        pd.read_parquet(p) for t in tasks if (p := result_path(Path(store), t.run_id)).exists()
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
