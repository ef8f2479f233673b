"""Benchmark of ``abm sweep``: runs per second on 1 and 2 local workers, overhead per run.

The same grid (Mexico's royalty rate x replications, ten-year baseline runs) is run three ways:
bare ``abm.run`` calls in a loop (the model itself), the sweep on one worker (in-process) and
on two worker processes. Overhead = sweep time per run on one worker / bare time per run - 1
(outcomes, one Parquet file per run, the combined results). Targets: 2 workers >= 1.7x one,
overhead < 5%::

    python benchmarks/bench_sweep.py [--runs 48] [--years 10] [--repeat 1]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import abm
from abm.experiments.design import build_design
from abm.experiments.experiment_file import load_experiment
from abm.experiments.outcomes import headline_outcomes
from abm.experiments.sweep import run_design

REPLICATIONS = 6


def experiment(folder: Path, runs: int, years: int) -> Path:
    """A grid experiment of ``runs`` runs: royalty rates x 6 replications."""
    points = max(1, runs // REPLICATIONS)
    rates = ", ".join(f"{r:.4f}" for r in np.linspace(0.05, 0.2, points))
    path = folder / "bench_sweep.toml"
    path.write_text(
        f'scenario = "baseline"\nyears = {years}\nseed = 1\nreplications = {REPLICATIONS}\n'
        'outcomes = ["investment_share.MX", "exploration_usd.MX"]\n'
        f'[levers]\n"government.MX.royalty_rate" = [{rates}]\n'
    )
    return path


def bare(design) -> tuple[float, float]:
    """Seconds for the design's runs as plain abm.run calls, and for their headline outcomes."""
    model = outcomes = 0.0
    for task in design.tasks():
        t0 = time.perf_counter()
        kw = {"seed": task.seed, "years": task.years, "overrides": task.override_dict()}
        res = abm.run(task.scenario, **kw)
        t1 = time.perf_counter()
        headline_outcomes(res.timeseries)
        model, outcomes = model + t1 - t0, outcomes + time.perf_counter() - t1
    return model, outcomes


def swept(design, folder: Path, workers: int) -> float:
    """Wall seconds of a fresh sweep of the design."""
    t0 = time.perf_counter()
    done = run_design(design, folder, workers=workers, progress=False)
    assert not done.outcome.failed, done.outcome.failed
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=48)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1, help="best of N")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        design = build_design(load_experiment(experiment(folder, args.runs, args.years)))
        n = len(design.tasks())
        best: dict[str, float] = {}
        for r in range(args.repeat):
            model, outcomes = bare(design)
            times = {
                "bare abm.run": model,
                "  outcomes alone": outcomes,
                "sweep, 1 worker": swept(design, folder / f"w1-{r}", 1),
                "sweep, 2 workers": swept(design, folder / f"w2-{r}", 2),
            }
            best = {k: min(best.get(k, np.inf), t) for k, t in times.items()}
    print(f"{n} runs of {args.years} years, best of {args.repeat}")
    print(f"{'':20}{'seconds':>10}{'runs/s':>10}{'s/run':>10}")
    for label, t in best.items():
        print(f"{label:20}{t:>10.2f}{n / t:>10.2f}{t / n:>10.3f}")
    speedup = best["sweep, 1 worker"] / best["sweep, 2 workers"]
    overhead = best["sweep, 1 worker"] / best["bare abm.run"] - 1
    print(f"speed-up 2 workers vs 1: {speedup:.2f}x (target >= 1.7x)")
    print(f"sweep overhead per run beyond the model: {overhead:+.1%} (target < 5%)")
    rest = (best["sweep, 1 worker"] - best["  outcomes alone"]) / best["bare abm.run"] - 1
    print(f"  of which headline_outcomes(): {best['  outcomes alone'] / best['bare abm.run']:.1%}")
    print(f"  the rest (Parquet per run, results, bookkeeping): {rest:+.1%}")


if __name__ == "__main__":
    main()
