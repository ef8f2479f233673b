"""``abm compare EXPERIMENT``: scenarios x replications with common random numbers, summarised.

Replication *i* uses the same seed in every scenario, so differences to the reference are
paired. Runs go through :mod:`abm.experiments.engine` (one file per finished run under
``<out>/runs/``; an interrupted compare run again reuses them) and the outputs are written
once every run has finished. Memory stays bounded whatever the number of runs: each worker
reduces its run to what the outputs need (:func:`run_parts`: the outcome row, the yearly and
monthly series the plots draw, the rows the report's limits section reads; a few thousand
rows against the timeseries' 150,000), stored per run under ``<out>/runs/<part>/``, and the
outputs are built from those parts; full timeseries are only ever read one at a time.

- ``runs.parquet``: every run's timeseries with ``scenario`` and ``seed`` columns (copied
  run by run from ``runs/``, never held whole);
- ``outcomes.csv``: every run's headline outcomes (one row per run);
- ``summary.csv``: per scenario and outcome, mean, sd, 95% interval, paired difference to the
  reference with its 95% interval (the table printed on screen);
- ``plots/*.png|svg``, ``manifest.json`` and ``report.md``.

Those top-level outputs are one set: written into a temporary folder that replaces ``<out>``
(see :mod:`abm.atomic`), so a kill leaves the old set or the new one, never a mixture.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

import abm
from abm import atomic
from abm.cli import add_command, add_force, add_quiet, add_workers
from abm.experiments import engine, uncertain
from abm.experiments.experiment_file import SEED_SCHEME, load_experiment
from abm.experiments.experiment_file import Experiment as CompareSpec
from abm.experiments.plots import annual, combine_annual, monthly, write_plots
from abm.experiments.report import combine_limits, limit_frame, write_report
from abm.experiments.summary import PAIRED, add_reductions, format_table, summarise
from abm.experiments.sweep import check_workers
from abm.outcomes import headline_outcomes
from abm.params.scenario import check_size
from abm.runner import OUTPUTS, run


def timeseries_worker(task: engine.Task) -> pd.DataFrame:
    """One run's timeseries with ``scenario`` and ``seed`` columns (picklable worker)."""
    result = run(
        task.scenario,
        seed=task.seed,
        years=task.years,
        overrides=task.override_dict(),
        summary=False,
    )
    ts = result.timeseries
    ts.insert(0, "seed", task.seed)
    ts.insert(0, "scenario", result.scenario.name)
    return ts


PARTS = ("outcomes", "annual", "monthly", "limits")  # run_parts' names, in its order


def run_parts(ts: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """What compare's outputs need of one run (``ts`` with ``scenario`` and ``seed``): its
    headline outcomes (one row), :func:`~abm.experiments.plots.annual` and
    :func:`~abm.experiments.plots.monthly` (what the plots draw) and
    :func:`~abm.experiments.report.limit_frame` (what the report's limits section reads)."""
    row = {"scenario": ts.scenario.iloc[0], "seed": ts.seed.iloc[0], **headline_outcomes(ts)}
    parts = [pd.DataFrame([row]), annual(ts), monthly(ts), limit_frame(ts)]
    return dict(zip(PARTS, parts, strict=True))


def compare_worker(task: engine.Task) -> engine.Parts:
    """One run's timeseries (stored whole) and its :func:`run_parts` (picklable worker)."""
    ts = timeseries_worker(task)
    return engine.Parts(ts, run_parts(ts))


def read_parts(tasks: list[engine.Task], store: Path) -> dict[str, list[pd.DataFrame]]:
    """Every run's parts, in task order. A run kept from a compare that stored no parts has
    them computed here from its timeseries (one run in memory at a time) and stored."""
    out: dict[str, list[pd.DataFrame]] = {name: [] for name in PARTS}
    for t in tasks:
        paths = {name: engine.part_path(store, t.run_id, name) for name in PARTS}
        if all(p.exists() for p in paths.values()):
            parts = {name: pd.read_parquet(p) for name, p in paths.items()}
        else:
            parts = run_parts(pd.read_parquet(engine.result_path(store, t.run_id)))
            for name, part in parts.items():
                engine.write_parquet(paths[name], part)
        for name, part in parts.items():
            out[name].append(part)
    return out


def write_runs(tasks: list[engine.Task], store: Path, path: Path) -> None:
    """``runs.parquet``: the runs' timeseries one after another, copied file by file."""
    writer = None
    try:
        for t in tasks:
            table = pq.read_table(engine.result_path(store, t.run_id))
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def make_tasks(spec: CompareSpec) -> list[engine.Task]:
    """One task per (scenario, seed); the id carries a hash of the resolved scenario (and of
    the replication's parameter draw, when the experiment has uncertainties)."""
    draws = uncertain.replication_draws(spec)
    tasks = []
    for scen in spec.scenarios:
        for i, seed in enumerate(spec.seeds):
            ov = uncertain.overrides(draws, i)
            fp = engine.fingerprint(scen, spec.years, abm.__version__, *([list(ov)] if ov else []))
            tasks.append(engine.Task(f"{scen.name}__seed{seed}__{fp}", scen, seed, ov, spec.years))
    return tasks


def outcome_table(rows: list[pd.DataFrame], spec: CompareSpec) -> pd.DataFrame:
    """Headline outcomes of every run (``rows``: each run's outcome row, in task order), one row
    per (scenario, seed), with paired reductions; the replication's drawn parameters (if any)
    as input columns after ``seed``."""
    table = pd.concat(rows, ignore_index=True)
    draws = uncertain.replication_draws(spec)
    if len(draws.columns) > 1:
        table = draws.merge(table, on="seed", how="right")[
            ["scenario", *draws.columns, *table.columns[2:]]
        ]
    return add_reductions(table, spec.reference)


def summary_outcomes(spec: CompareSpec, columns: list[str]) -> list[str]:
    """The experiment's outcomes plus the paired import reductions of its dependency outcomes."""
    extra = [
        o.replace("import_dependency.", f"{prefix}.", 1)
        for o in spec.outcomes
        if o.startswith("import_dependency.")
        for prefix in PAIRED
    ]
    return [o for o in [*spec.outcomes, *extra] if o in columns]


def _estimate(spec: CompareSpec, workers: int) -> float:
    """Estimated seconds of the whole experiment (every run checked against the ceiling)."""
    per_run = [
        check_size(s.values, f"{spec.path}: scenarios: {s.name}", spec.years)
        for s in spec.scenarios
    ]
    return sum(per_run) * len(spec.seeds) / max(1, min(workers, len(spec.seeds)))


def compare(
    spec: CompareSpec,
    out: Path,
    workers: int = 1,
    progress: bool = True,
    force: bool = False,
) -> tuple[pd.DataFrame, engine.Outcome]:
    """Run the experiment into ``out``; returns the summary table and what the engine did.

    ``out`` is claimed first (:func:`abm.atomic.claim`): per-run files go to ``out/runs/``
    as they finish (an interrupted compare reuses them; ``force`` starts afresh), and the
    top-level outputs are written as one set into a temporary folder that then replaces
    ``out`` (the per-run files carried over as hard links).
    """
    with atomic.claim(out, "compare", force=force) as claim:
        if force:
            claim.clear()
        claim.start_in_place()
        return _compare(spec, claim, workers, progress)


def _compare(
    spec: CompareSpec, claim: atomic.Claim, workers: int, progress: bool
) -> tuple[pd.DataFrame, engine.Outcome]:
    out = claim.out
    tasks = make_tasks(spec)
    t0 = time.perf_counter()
    done = engine.execute(
        tasks, compare_worker, out / "runs", workers=workers, progress=progress, desc=spec.name
    )
    if done.failed:
        first = next(iter(done.failed.items()))
        raise RuntimeError(
            f"{len(done.failed)} of {len(tasks)} runs failed (first: {first[0]}: {first[1]}); "
            f"tracebacks in {out / 'runs'}/*.error.txt; finished runs are kept"
        )
    parts = read_parts(tasks, out / "runs")
    outcomes = outcome_table(parts["outcomes"], spec)
    names = summary_outcomes(spec, list(outcomes.columns))
    order = [s.name for s in spec.scenarios]
    summary = summarise(outcomes, names, spec.reference, order, spec.first_year, spec.last_year)
    meta = {
        "experiment": str(spec.path),
        "experiment_sha256": spec.sha256,
        "scenarios": order,
        "reference": spec.reference,
        "master_seed": spec.master_seed,
        "seed_scheme": SEED_SCHEME if spec.master_seed is not None else "listed in the file",
        "seeds": spec.seeds,
        "years": spec.years,
        "version": abm.__version__,
        "runs_ran": len(done.ran),
        "runs_reused": len(done.reused),
        "seconds": round(time.perf_counter() - t0, 1),
    }

    def write_set(tmp: Path) -> None:
        write_runs(tasks, out / "runs", tmp / "runs.parquet")
        outcomes.to_csv(tmp / "outcomes.csv", index=False)
        summary.to_csv(tmp / "summary.csv", index=False)
        yearly = combine_annual(parts["annual"])
        months = pd.concat(parts["monthly"], ignore_index=True)
        figures = write_plots(yearly, months, summary, spec, tmp / "plots")
        (tmp / "manifest.json").write_text(json.dumps(meta, indent=2) + "\n")
        limits = combine_limits(parts["limits"])
        write_report(spec, summary, outcomes, limits, figures, meta, tmp / "report.md")

    claim.publish(write_set, carry=True)
    return summary, done


def default_out(spec: CompareSpec) -> Path:
    """``outputs/<experiment>/``."""
    return OUTPUTS / spec.name


def _cmd(args: argparse.Namespace) -> int:
    check_workers(args)
    spec = load_experiment(args.experiment, "compare", replications=args.replications)
    out = Path(args.out) if args.out is not None else default_out(spec)
    seconds = _estimate(spec, args.workers)
    atomic.check_out(out, "compare", args.force)
    n = len(spec.scenarios) * len(spec.seeds)
    print(
        f"{spec.name}: {len(spec.scenarios)} scenarios x {len(spec.seeds)} replications "
        f"= {n} runs of {spec.years} years on {args.workers} worker(s) -> {out}"
        + (f"; about {seconds / 60:.0f} min (estimate)" if seconds > 60 else "")
    )
    try:
        summary, done = compare(
            spec, out, workers=args.workers, progress=not args.quiet, force=args.force
        )
    except RuntimeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(format_table(summary))
    print(
        f"\n{len(done.ran)} runs made, {len(done.reused)} reused; wrote {out}/report.md, "
        "summary.csv, outcomes.csv, runs.parquet, plots/"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``abm compare``."""
    p = add_command(sub, "compare")
    p.add_argument("experiment", help="experiment name under experiments/ or a TOML path")
    p.add_argument(
        "--replications", type=int, default=None, help="override the file's count (at least 2)"
    )
    add_workers(p)
    p.add_argument(
        "--out",
        default=None,
        help="output folder: new, empty, or an earlier compare result, whose finished runs "
        "are reused (default outputs/<experiment>/)",
    )
    add_force(p)
    add_quiet(p)
    p.set_defaults(func=_cmd)
