"""Fit the exploration behaviour parameters to the 2010-2017 replay, and only to it.

The rule (docs/validation.md, "Hindcast fit" and the two refits): values are fitted on 2010-2017
only; the first fit's rule was fixed before 2018-2024 was used, the third chose which
parameters to free after its figures had been seen (docs/validation.md, "Hindcast third fit").

- **Parameters and grid** (:data:`abm.experiments.hindcast.FIT_GRID`). First fit:
  ``firms.npv_response`` and ``market.expectation_recent_weight_frac``. Second
  (docs/validation.md, "Hindcast refit with junior finance"): with
  ``investors.capital_price_elasticity`` (junior finance following the price trend). Third
  (docs/validation.md, "Hindcast third fit"): the trend signal starts warm from the 2005-2009
  prices; ``firms.npv_response``, the elasticity, the budget lag
  ``firms.exploration_budget_half_life_months`` and the trend memory
  ``investors.price_trend_memory_months``, with the recent weight held at 0.3
  (:data:`abm.experiments.hindcast.FIT_FIXED`).
- **Objective:** :func:`abm.experiments.hindcast.fit_objective` on the fitting window
  2010-2017: the mean squared log error of the simulated mean annual exploration against every
  observed point of the window (US, MX on two bases, CA on S&P USD, and NRCan CAD shape only,
  NA), over :data:`REPLICATIONS` replications of the hindcast experiment's seeds.
- **Choice:** the grid point with the smallest objective; a point within
  :data:`TIE_FRAC` of the best counts as a tie, and ties go to the point closest to the
  current values (fewest steps on the grid), so the fit moves a parameter only when the data
  ask for it.
- The held-out window is not read here: the script writes the grid and the chosen values,
  then ``abm hindcast`` reports 2018-2024 separately.

Usage::

    .venv/bin/python scripts/fit_hindcast.py [--replications 8] [--workers 2] \
        [--out outputs/fit_hindcast]

Writes ``grid.csv`` (every point and its objective) and ``fit.json`` (the choice, the
current values and the objective of both); prints the lines for params/scenarios/baseline.toml.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from abm import atomic
from abm.cli import add_workers
from abm.experiments import hindcast as hc
from abm.params.scenario import ScenarioError

REPLICATIONS = 8
COMMAND = "fit_hindcast"  # the output folder's owner (abm.atomic marker)
TIE_FRAC = 0.01  # objectives within 1% of the best are ties (replication noise)


def evaluate(point: dict[str, float], spec, store: Path, workers: int) -> float:
    """Fit objective (2010-2017) of one grid point; runs are kept in ``store``."""
    annual, _ = hc.run_annual(spec, store, point, workers, progress=False, counterfactual=False)
    table = hc.hindcast_table(annual, spec.scenarios[0].name)
    return hc.fit_objective(table, hc.FIT_WINDOW)


def choose(rows: pd.DataFrame, current: dict[str, float], axes: dict[str, tuple]) -> pd.Series:
    """The rule's choice: the best objective, ties (within TIE_FRAC) to the nearest point."""
    best = rows.objective.min()
    ties = rows[rows.objective <= best * (1 + TIE_FRAC)].copy()

    def steps(r: pd.Series) -> int:
        return sum(
            abs(axes[k].index(r[k]) - int(np.argmin([abs(x - current[k]) for x in axes[k]])))
            for k in axes
        )

    ties["steps"] = ties.apply(steps, axis=1)
    return ties.sort_values(["steps", "objective"]).iloc[0]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--replications", type=int, default=REPLICATIONS)
    add_workers(p)
    p.add_argument("--out", default="outputs/fit_hindcast")
    args = p.parse_args(argv)
    try:
        with atomic.claim(args.out, COMMAND) as claim:
            return fit(claim.start_in_place(), args.replications, args.workers)
    except ScenarioError as exc:  # a folder this script did not write: one line, exit 2
        print(f"fit_hindcast: {exc}", file=sys.stderr)
        return 2


def fit(out: Path, replications: int, workers: int) -> int:
    """Evaluate the grid (finished runs in ``out/runs`` are reused), write the choice."""
    spec = hc.load_spec(replications)
    base = spec.scenarios[0].values
    axes = hc.FIT_GRID
    current = {k: float(base[k]) for k in axes}
    points = [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*axes.values())]
    rows = []
    for i, point in enumerate(points, 1):
        obj = evaluate(point, spec, out / "runs", workers)
        rows.append({**point, "objective": obj})
        print(f"[{i}/{len(points)}] {point} -> {obj:.4f}", flush=True)
    table = pd.DataFrame(rows)
    atomic.write_file(out / "grid.csv", lambda f: table.to_csv(f, index=False))
    chosen = choose(table, current, axes)
    now = evaluate(current, spec, out / "runs", workers)
    result = {
        "window": list(hc.FIT_WINDOW),
        "replications": replications,
        "current": current,
        "current_objective": now,
        "chosen": {k: float(chosen[k]) for k in axes},
        "chosen_objective": float(chosen.objective),
    }
    atomic.write_text(out / "fit.json", json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    for k in axes:
        print(
            f"{k.split('.', 1)[1]} = {chosen[k]:g}  # FITTED: hindcast 2010-2017 "
            f"(scripts/fit_hindcast.py, MSLE {chosen.objective:.3f}; was {current[k]:g})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
