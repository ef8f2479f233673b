"""``abm sensitivity``: Morris screening and Sobol indices of an experiment's outcomes (SALib).

The experiment's ``[uncertainties]`` are sampled (Morris trajectories, Saltelli/Sobol scheme),
each sample is a sweep (:func:`abm.experiments.sweep.run_design`: engine, resumable, local or
Dask) in ``<out>/morris/`` and ``<out>/sobol/``, and each outcome (mean over replications at a
design point) is analysed by :func:`morris_table` / :func:`sobol_table`, which take a sample
and its outputs and nothing else, so the Ishigami test exercises the very same path. Tables go
to ``<out>/morris.csv`` and ``<out>/sobol.csv``, plots to ``.png`` and ``.svg`` beside them.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze

from abm import atomic
from abm.cli import add_command
from abm.experiments.design import build_design, generator, salib_problem
from abm.experiments.experiment_file import (
    Experiment,
    Factor,
    SensitivitySettings,
    load_experiment,
    outcome_units,
)
from abm.experiments.sensitivity_plots import plot_morris, plot_sobol
from abm.experiments.sweep import add_run_options, check_workers, connect, run_design, start
from abm.params.scenario import ScenarioError
from abm.runner import OUTPUTS

METHODS = ("morris", "sobol")


def morris_table(
    factors: Sequence[Factor],
    x: np.ndarray,
    outputs: pd.DataFrame,
    settings: SensitivitySettings,
    master_seed: int,
) -> pd.DataFrame:
    """Morris mu, mu*, its confidence half-width and sigma per (outcome, input)."""
    problem = salib_problem(list(factors))
    rows = []
    for name in outputs.columns:
        res = morris_analyze.analyze(
            problem,
            np.asarray(x, dtype=float),
            outputs[name].to_numpy(dtype=float),
            num_resamples=settings.bootstrap,
            conf_level=settings.confidence,
            num_levels=settings.morris_levels,
            seed=generator(master_seed, "bootstrap"),
        )
        rows += _rows(name, factors, res, ("mu", "mu_star", "mu_star_conf", "sigma"))
    return pd.DataFrame(rows)


def sobol_table(
    factors: Sequence[Factor],
    outputs: pd.DataFrame,
    settings: SensitivitySettings,
    master_seed: int,
) -> pd.DataFrame:
    """First-order (S1) and total (ST) Sobol indices with confidence half-widths."""
    problem = salib_problem(list(factors))
    rows = []
    for name in outputs.columns:
        res = sobol_analyze.analyze(
            problem,
            outputs[name].to_numpy(dtype=float),
            calc_second_order=settings.second_order,
            num_resamples=settings.bootstrap,
            conf_level=settings.confidence,
            seed=generator(master_seed, "bootstrap"),
        )
        rows += _rows(name, factors, res, ("S1", "S1_conf", "ST", "ST_conf"))
    return pd.DataFrame(rows)


def _rows(
    outcome: str, factors: Sequence[Factor], res: Any, keys: tuple[str, ...]
) -> list[dict[str, Any]]:
    """One table row per input: the outcome, the input and the analyser's ``keys``."""
    return [
        {"outcome": outcome, "input": f.name, **{k: float(res[k][j]) for k in keys}}
        for j, f in enumerate(factors)
    ]


def point_means(results: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Each outcome's mean over replications at every design point, in point order."""
    return results.groupby("point", sort=True)[list(outcomes)].mean()


def _check(exp: Experiment) -> None:
    if exp.levers:
        raise ScenarioError(
            f"{exp.path}: levers: abm sensitivity samples [uncertainties] only; give "
            f"{next(iter(exp.levers))} a {{ min, max }} range there or fix it in the scenario"
        )
    if not exp.uncertainties:
        raise ScenarioError(f"{exp.path}: uncertainties: needs at least one range to analyse")


def analyse(
    exp: Experiment, method: str, x: np.ndarray, means: pd.DataFrame, out: Path, runs: int
) -> Path:
    """Write ``<method>.csv``, ``.png``, ``.svg`` under ``out``; skip outcomes with NaN."""
    usable = means.loc[:, means.notna().all()]
    skipped = sorted(set(means.columns) - set(usable.columns))
    if skipped:
        print(f"{method}: skipped outcome(s) with missing values: {', '.join(skipped)}")
    s = exp.sensitivity
    if method == "morris":
        table = morris_table(exp.uncertainties, x, usable, s, exp.seed)
    else:
        table = sobol_table(exp.uncertainties, usable, s, exp.seed)
    csv = out / f"{method}.csv"
    table.to_csv(csv, index=False)
    title = f"{exp.name}: {method.capitalize()} ({runs} runs, {s.confidence:.0%} confidence)"
    plot = plot_morris if method == "morris" else plot_sobol
    plot(table, title, out / method, outcome_units(exp))
    return csv


def run_sensitivity(
    exp: Experiment,
    out: Path,
    methods: Sequence[str] = METHODS,
    resume: bool = False,
    workers: int = 1,
    scheduler: str | None = None,
    progress: bool = True,
    force: bool = False,
    backend: Any = None,
) -> int:
    """Sample, run (resumably) and analyse each method; exit code 1 if any run failed.

    Each method's runs go to ``out/<method>/`` (a resumable sweep); its table and plots are
    then published with the rest of ``out`` as one set (:meth:`abm.atomic.Claim.publish`).
    """
    _check(exp)
    s = exp.sensitivity
    sizes = {"morris": s.morris_trajectories, "sobol": s.sobol_samples}
    designs = {m: build_design(exp, m, sizes[m]) for m in methods}  # all checked up front
    own = backend is None and bool(scheduler)
    if own:
        backend = connect(scheduler)
    failed = 0
    try:
        with atomic.claim(out, "sensitivity", force=force) as claim:
            if force:
                claim.clear()
            claim.start_in_place()
            for method, design in designs.items():
                done = run_design(
                    design, claim.out / method, resume, workers, progress=progress, backend=backend
                )
                print(done.summary(f"sensitivity {exp.name} ({method})"))
                if done.outcome.failed:
                    failed += len(done.outcome.failed)
                    continue
                x = design.points[[f.name for f in exp.uncertainties]].to_numpy(dtype=float)
                means = point_means(done.results, exp.outcomes)
                n = len(done.results)
                claim.publish(
                    lambda tmp, m=method, x=x, means=means, n=n: analyse(exp, m, x, means, tmp, n),
                    carry=True,
                )
                csv = claim.out / f"{method}.csv"
                print(f"{method}: wrote {csv} and {csv.with_suffix('.png').name}, .svg")
    finally:
        if own and backend is not None:
            backend.close()
    return 1 if failed else 0


def _sensitivity(args: argparse.Namespace) -> int:
    check_workers(args)
    exp = load_experiment(args.experiment, "sensitivity", years=args.years)
    _check(exp)
    methods = METHODS if args.method == "both" else (args.method,)
    s = exp.sensitivity
    sizes = {"morris": s.morris_trajectories, "sobol": s.sobol_samples}
    designs = [build_design(exp, m, sizes[m]) for m in methods]
    out = Path(args.out) if args.out is not None else OUTPUTS / exp.name
    _, backend = start(args, "sensitivity", designs, out)
    try:
        return run_sensitivity(
            exp, out, methods, args.resume, args.workers, force=args.force, backend=backend
        )
    finally:
        if backend is not None:
            backend.close()


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``abm sensitivity``."""
    p = add_command(
        subparsers,
        "sensitivity",
        description="Global sensitivity analysis of an experiment file (see docs/sweeps.md).",
    )
    add_run_options(p)
    p.add_argument("--method", choices=(*METHODS, "both"), default="both")
    p.set_defaults(func=_sensitivity)
