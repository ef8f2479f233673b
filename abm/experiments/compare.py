"""``abm compare EXPERIMENT``: scenarios x replications with common random numbers, summarised.

Replication *i* uses the same seed in every scenario, so differences to the reference are
paired. Runs go through :mod:`abm.experiments.engine` (one file per finished run under
``<out>/runs/``; an interrupted compare run again reuses them) and the outputs are written
once every run has finished:

- ``runs.parquet``: every run's timeseries with ``scenario`` and ``seed`` columns;
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

import abm
from abm import atomic
from abm.cli import add_command, add_force, add_quiet, add_workers
from abm.experiments import engine, uncertain
from abm.experiments.experiment_file import SEED_SCHEME, load_experiment
from abm.experiments.experiment_file import Experiment as CompareSpec
from abm.experiments.summary import REDUCTION, add_reductions, format_table, summarise
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


def outcome_table(runs: pd.DataFrame, spec: CompareSpec) -> pd.DataFrame:
    """Headline outcomes of every run, one row per (scenario, seed), with paired reductions;
    the replication's drawn parameters (if any) as input columns after ``seed``."""
    rows = []
    for (scen, seed), ts in runs.groupby(["scenario", "seed"], sort=False):
        rows.append({"scenario": scen, "seed": seed, **headline_outcomes(ts)})
    table = pd.DataFrame(rows)
    draws = uncertain.replication_draws(spec)
    if len(draws.columns) > 1:
        table = draws.merge(table, on="seed", how="right")[
            ["scenario", *draws.columns, *table.columns[2:]]
        ]
    return add_reductions(table, spec.reference)


def summary_outcomes(spec: CompareSpec, columns: list[str]) -> list[str]:
    """The experiment's outcomes plus the paired import reductions of its dependency outcomes."""
    extra = [
        o.replace("import_dependency.", f"{REDUCTION}.", 1)
        for o in spec.outcomes
        if o.startswith("import_dependency.")
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
    from abm.experiments.plots import write_plots
    from abm.experiments.report import write_report

    out = claim.out
    tasks = make_tasks(spec)
    t0 = time.perf_counter()
    done = engine.execute(
        tasks, timeseries_worker, out / "runs", workers=workers, progress=progress, desc=spec.name
    )
    if done.failed:
        first = next(iter(done.failed.items()))
        raise RuntimeError(
            f"{len(done.failed)} of {len(tasks)} runs failed (first: {first[0]}: {first[1]}); "
            f"tracebacks in {out / 'runs'}/*.error.txt; finished runs are kept"
        )
    runs = engine.load_results(tasks, out / "runs")
    outcomes = outcome_table(runs, spec)
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
        runs.to_parquet(tmp / "runs.parquet", index=False)
        outcomes.to_csv(tmp / "outcomes.csv", index=False)
        summary.to_csv(tmp / "summary.csv", index=False)
        figures = write_plots(runs, outcomes, summary, spec, tmp / "plots")
        (tmp / "manifest.json").write_text(json.dumps(meta, indent=2) + "\n")
        write_report(spec, summary, outcomes, runs, figures, meta, tmp / "report.md")

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
