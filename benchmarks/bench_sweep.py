"""Benchmark of ``abm sweep``: runs per second on 1 and 2 local workers, overhead per run.

The same grid (Mexico's royalty rate x replications, ten-year baseline runs) is run three ways:
bare ``abm.run`` calls in a loop (the model itself), the sweep on one worker (in-process) and
on two worker processes, interleaved, best of ``--repeat`` rounds. Speed-up = wall time on one
worker / on two (the two workers' start, about a second, included). Overhead = CPU time per run
of the one-worker sweep / of the bare loop - 1 (outcomes, one Parquet file per run, the
combined results); CPU time, because on a shared machine wall times of the same work differ
by up to 10% from one minute to the next. Targets: 2 workers >= 1.7x one, overhead < 5%::

    python benchmarks/bench_sweep.py [--runs 240] [--years 10] [--repeat 1]
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
from abm.experiments.sweep import run_design
from abm.outcomes import headline_outcomes

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


def bare(design) -> dict[str, float]:
    """Wall and CPU seconds of the design's runs as plain abm.run calls (the model work a
    sweep worker does: no run summary), and CPU seconds of their headline outcomes. One
    untimed run first, so that one-off imports and caches count against neither this nor
    the sweep."""
    first = design.tasks()[0]
    abm.run(first.scenario, seed=first.seed, years=1, summary=False)
    outcomes = 0.0
    w0, c0 = time.perf_counter(), time.process_time()
    for task in design.tasks():
        kw = {"seed": task.seed, "years": task.years, "overrides": task.override_dict()}
        res = abm.run(task.scenario, summary=False, **kw)
        t1 = time.process_time()
        headline_outcomes(res.timeseries)
        outcomes += time.process_time() - t1
    cpu = time.process_time() - c0 - outcomes
    return {"wall": time.perf_counter() - w0 - outcomes, "cpu": cpu, "outcomes": outcomes}


def swept(design, folder: Path, workers: int) -> dict[str, float]:
    """Wall seconds of a fresh sweep of the design, and CPU seconds of this process (all of
    the work with one worker, which runs in-process)."""
    w0, c0 = time.perf_counter(), time.process_time()
    done = run_design(design, folder, workers=workers, progress=False)
    assert not done.outcome.failed, done.outcome.failed
    return {"wall": time.perf_counter() - w0, "cpu": time.process_time() - c0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=240)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1, help="best of N interleaved rounds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        design = build_design(load_experiment(experiment(folder, args.runs, args.years)))
        n = len(design.tasks())
        best: dict[tuple[str, str], float] = {}
        for r in range(args.repeat):
            rounds = {
                "bare abm.run": bare(design),
                "sweep, 1 worker": swept(design, folder / f"w1-{r}", 1),
                "sweep, 2 workers": swept(design, folder / f"w2-{r}", 2),
            }
            for label, times in rounds.items():
                for kind, t in times.items():
                    best[label, kind] = min(best.get((label, kind), np.inf), t)
    print(f"{n} runs of {args.years} years, best of {args.repeat}")
    print(f"{'':20}{'wall s':>10}{'runs/s':>10}{'cpu s/run':>11}")
    for label in ("bare abm.run", "sweep, 1 worker", "sweep, 2 workers"):
        wall, cpu = best[label, "wall"], best[label, "cpu"]
        cpu_text = f"{cpu / n:>11.3f}" if label != "sweep, 2 workers" else f"{'(workers)':>11}"
        print(f"{label:20}{wall:>10.2f}{n / wall:>10.2f}{cpu_text}")
    speedup = best["sweep, 1 worker", "wall"] / best["sweep, 2 workers", "wall"]
    model_cpu = best["bare abm.run", "cpu"]
    overhead = best["sweep, 1 worker", "cpu"] / model_cpu - 1
    outcomes = best["bare abm.run", "outcomes"] / model_cpu
    print(f"speed-up 2 workers vs 1 (wall): {speedup:.2f}x (target >= 1.7x)")
    print(f"sweep overhead per run beyond the model (CPU): {overhead:+.1%} (target < 5%)")
    print(f"  of which headline_outcomes(): {outcomes:.1%}")
    print(f"  the rest (Parquet per run, results, bookkeeping): {overhead - outcomes:+.1%}")


if __name__ == "__main__":
    main()
