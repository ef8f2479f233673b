"""``abm sweep``: run an experiment's design through the engine; resumable; Parquet results.

Layout of the output folder (default ``outputs/<experiment>/``)::

    manifest.json     experiment file hash, abm version, the design (points, seeds)
    runs/<id>.parquet one row per finished run (engine; written as runs finish)
    runs/<id>.error.txt the traceback of a failed run (retried by --resume)
    results.parquet   every run in design order: inputs beside outcomes, plus ``error``

Local processes by default; ``--scheduler tcp://HOST:PORT`` sends the same tasks to a Dask
cluster through the engine's ``backend`` hook. Results are the same either way.
"""

from __future__ import annotations

import argparse
import functools
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

import abm
from abm import atomic
from abm.cli import add_command, add_force, add_workers
from abm.experiments.design import Design, build_design
from abm.experiments.engine import Outcome, Task, error_path, execute, result_path
from abm.experiments.experiment_file import load_experiment
from abm.outcomes import headline_outcomes
from abm.params.scenario import ScenarioError, check_size
from abm.runner import OUTPUTS, run

MANIFEST = "manifest.json"
RESULTS = "results.parquet"
RUNS = "runs"
CHECKED = ("experiment_sha256", "abm_version", "design_fingerprint")


def sweep_worker(task: Task, outcomes: tuple[str, ...]) -> pd.DataFrame:
    """One run -> one row: run id, seed, the sampled inputs and the chosen headline outcomes."""
    overrides = task.override_dict()
    result = run(
        task.scenario, seed=task.seed, years=task.years, overrides=overrides, summary=False
    )
    values = headline_outcomes(result.timeseries)
    row = {"run_id": task.run_id, "seed": task.seed, **overrides}
    row.update({name: values[name] for name in outcomes})
    return pd.DataFrame([row])


def manifest(design: Design) -> dict[str, Any]:
    """What the manifest records: file hash, package version, the design and its hash."""
    exp = design.experiment
    return {
        "experiment": exp.name,
        "experiment_file": str(exp.path),
        "experiment_sha256": exp.sha256,
        "abm_version": abm.__version__,
        "design_fingerprint": design.fingerprint(),
        "runs": len(design.points) * len(design.seeds),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "design": design.to_json(),
    }


def check_output(out: Path, design: Design, resume: bool) -> None:
    """Refuse to overwrite results, or to resume results of a different experiment."""
    existing = out / MANIFEST
    if not resume:
        if existing.exists() or (out / RUNS).exists() or (out / RESULTS).exists():
            raise ScenarioError(
                f"--out {out}: already holds sweep results; add --resume to finish them or "
                "--force to replace them, or give another --out"
            )
        return
    if not existing.exists():
        return
    try:
        old = json.loads(existing.read_text())
    except (OSError, ValueError):
        raise ScenarioError(
            f"{existing}: unreadable manifest; cannot tell which experiment made these "
            "results (use --force to replace them)"
        ) from None
    new = manifest(design)
    for key in CHECKED:
        if old.get(key) != new[key]:
            raise ScenarioError(
                f"{existing}: {key}: the experiment changed since these results were made "
                f"({str(old.get(key))[:12]} -> {str(new[key])[:12]}); refusing to mix them - "
                "run without --resume into another --out, or delete the folder"
            )


def combine(design: Design, store: Path) -> pd.DataFrame:
    """Every run in design order: run_id, point, replication, seed, inputs, outcomes, error."""
    runs = design.runs()
    outcomes = list(design.experiment.outcomes)
    frames = [
        pd.read_parquet(p, columns=["run_id", *outcomes])
        for rid in runs.run_id
        if (p := result_path(store, rid)).exists()
    ]
    found = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["run_id"])
    table = runs.merge(found, on="run_id", how="left", validate="one_to_one")
    table = table.reindex(columns=[*runs.columns, *outcomes])
    errors = []
    for rid in runs.run_id:
        e = error_path(store, rid)
        errors.append(e.read_text().strip().splitlines()[-1] if e.exists() else "")
    table["error"] = errors
    return table


@dataclass
class SweepRun:
    """A finished (or partly failed) sweep of one design."""

    out: Path
    outcome: Outcome
    results: pd.DataFrame

    @property
    def store(self) -> Path:
        """Folder of the per-run files."""
        return self.out / RUNS

    def summary(self, label: str) -> str:
        """One line: how many ran, were reused, failed, and where things are."""
        o = self.outcome
        total = len(self.results)
        line = (
            f"{label}: {total} runs ({len(o.ran)} ran, {len(o.reused)} reused, "
            f"{len(o.failed)} failed) in {o.seconds:.1f} s; results in {self.out / RESULTS}"
        )
        if o.failed:
            line += f"; errors in {self.store}/*.error.txt (add --resume to retry them)"
        return line


def run_design(
    design: Design,
    out: Path,
    resume: bool = False,
    workers: int = 1,
    scheduler: str | None = None,
    progress: bool = True,
    backend: Any = None,
) -> SweepRun:
    """Check the output folder, run every missing run, write results.parquet atomically.

    ``backend`` (a connected :class:`~abm.experiments.dask_backend.DaskBackend`) is used as
    given and left open; otherwise ``scheduler`` is connected to here and closed after.
    """
    out = Path(out)
    check_output(out, design, resume)
    own = backend is None and bool(scheduler)
    if own:
        backend = connect(scheduler)  # connects (or fails) before anything is written
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not (out / MANIFEST).exists():
            atomic.write_text(out / MANIFEST, json.dumps(manifest(design), indent=1) + "\n")
        worker = functools.partial(sweep_worker, outcomes=design.experiment.outcomes)
        outcome = execute(
            design.tasks(),
            worker,
            out / RUNS,
            workers=workers,
            progress=progress,
            desc=design.experiment.name,
            backend=backend,
        )
    finally:
        if own:
            backend.close()
    table = combine(design, out / RUNS)
    atomic.write_file(out / RESULTS, lambda p: table.to_parquet(p, index=False))
    return SweepRun(out, outcome, table)


def add_run_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``abm sweep`` and ``abm sensitivity``."""
    p.add_argument("experiment", help="name under experiments/ or a path to a TOML file")
    add_workers(p)
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (see docs/sweeps.md)",
    )
    p.add_argument(
        "--out",
        default=None,
        help="output folder: new, empty, or an earlier result of this command "
        "(default outputs/<experiment>/)",
    )
    p.add_argument("--resume", action="store_true", help="run only what is missing")
    add_force(p)
    p.add_argument("--years", type=int, default=None, help="override the file's years")


# Local worker processes: far above any core count a researcher runs on; a typo such as
# --workers 20000 would otherwise try to start that many processes.
MAX_WORKERS = 512


def check_workers(args: argparse.Namespace) -> None:
    """``--workers`` in [1, MAX_WORKERS]; ``--resume`` and ``--force`` exclude each other."""
    if not 1 <= args.workers <= MAX_WORKERS:
        raise ScenarioError(f"--workers: must be in [1, {MAX_WORKERS}], got {args.workers}")
    if getattr(args, "resume", False) and getattr(args, "force", False):
        raise ScenarioError("--resume and --force: give one (resume keeps runs, force drops them)")


def connect(scheduler: str | None) -> Any:
    """A connected Dask backend for ``--scheduler`` (address checked first), or None."""
    if not scheduler:
        return None
    from abm.experiments.dask_backend import DaskBackend, parse_address

    parse_address(scheduler)  # before importing distributed or opening a socket
    return DaskBackend(scheduler)


def estimate(design: Design, workers: int) -> float:
    """Estimated seconds of a design; refuses a point above the run-size ceiling."""
    exp = design.experiment
    per_run = [
        check_size({**exp.scenario.values, **row}, f"{exp.path}: design point {i}", exp.years)
        for i, row in enumerate(design.points.to_dict("records"))
    ] or [check_size(exp.scenario.values, str(exp.path), exp.years)]
    runs = sum(per_run) * len(design.seeds)
    return runs / max(1, min(workers, len(per_run) * len(design.seeds)))


def start(
    args: argparse.Namespace, command: str, designs: list[Design], out: Path
) -> tuple[float, Any]:
    """Every up-front check of a sweep-like command; returns its estimate and backend."""
    seconds = sum(estimate(d, args.workers) for d in designs)
    atomic.check_out(out, command, args.force)
    if not args.force:
        for d in designs:
            sub = out if len(designs) == 1 and command == "sweep" else out / d.method
            if sub.is_dir():
                check_output(sub, d, args.resume)
    if args.scheduler:
        from abm.experiments.dask_backend import parse_address

        parse_address(args.scheduler)
    if seconds > 60:
        print(f"about {seconds / 60:.0f} min of runs on {args.workers} worker(s) (estimate)")
    return seconds, connect(args.scheduler)


def _sweep(args: argparse.Namespace) -> int:
    check_workers(args)
    exp = load_experiment(args.experiment, "sweep", years=args.years)
    design = build_design(exp)
    out = Path(args.out) if args.out is not None else OUTPUTS / exp.name
    _, backend = start(args, "sweep", [design], out)
    try:
        with atomic.claim(out, "sweep", force=args.force) as claim:
            if args.force:
                claim.clear()
            claim.start_in_place()
            done = run_design(design, claim.out, args.resume, args.workers, backend=backend)
    finally:
        if backend is not None:
            backend.close()
    print(done.summary(f"sweep {exp.name}"))
    return 1 if done.outcome.failed else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``abm sweep``."""
    p = add_command(
        subparsers,
        "sweep",
        description="Run every design point of an experiment file (see docs/sweeps.md).",
    )
    add_run_options(p)
    p.set_defaults(func=_sweep)
