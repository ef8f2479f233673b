"""Benchmark: seconds per simulated decade and microseconds per project-month.

Times the default baseline run (10 years) and a 10x population, as ``make bench`` does::

    python benchmarks/bench_run.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from abm.model import MiningModel
from abm.projects import Stage


def time_run(scale: float, seed: int) -> tuple[float, float]:
    """Wall seconds of one 10-year run and the project-months it evaluated."""
    t0 = time.perf_counter()
    model = MiningModel("baseline", rng=seed, overrides={"simulation.population_scale": scale})
    project_months = 0
    while model.running:
        model.step()
        live = ~np.isin(model.projects.stage, (Stage.CLOSED, Stage.DROPPED))
        project_months += int(live.sum())
    return time.perf_counter() - t0, project_months


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'population':>12}{'firms':>8}{'s/decade':>10}{'projects':>10}{'us/project-month':>18}")
    for scale in (1.0, 10.0):
        times, pms = [], 0
        for r in range(args.repeat):
            t, pms = time_run(scale, seed=r + 1)
            times.append(t)
        best = min(times)
        n_firms = round(300 * scale)
        print(
            f"{scale:>11.0f}x{n_firms:>8}{best:>10.3f}{pms / 120:>10.0f}{best / pms * 1e6:>18.2f}"
        )


if __name__ == "__main__":
    main()
