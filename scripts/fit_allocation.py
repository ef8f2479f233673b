"""Fit ``exploration.mineral_trend_elasticity`` to Canada's base-metal share, by the rule
declared before the mechanism was built (docs/validation.md, "Held-out commodity checks").

- **Parameter and grid:** β = ``exploration.mineral_trend_elasticity`` on :data:`GRID` (its
  ASSUMPTION range 0-8); every other parameter at its adopted value (params/scenarios/).
- **Objective:** the squared log error of Canada's base-metal share ratio 2021/2017 (the mean
  over seeds 1-8 of the replay ``history_2010``) against the observed 20.5%/14.7% (MAC 2023
  p.27, NRCan data; :data:`abm.validation.hindcast.CA_BASE_SHARE`).
- **Choice:** the smallest objective; objectives within :data:`TIE_FRAC` of the best are ties,
  and ties go to the smaller β.
- Reported, not used to choose: the third fit's objective (MSLE of the 2010-2017 totals,
  :func:`abm.experiments.hindcast.fit_objective`) at every β.
- The three held-out commodity checks (2022-2024) are not read here; ``abm validate``
  evaluates them.

Usage::

    .venv/bin/python scripts/fit_allocation.py [--workers 2] [--out outputs/fit_allocation]

Writes ``grid.csv`` (per β: the share in 2017 and 2021, their ratio, the objective, the
2010-2017 MSLE) and ``fit.json``; prints the line for params/scenarios/baseline.toml.
Finished runs in ``out/runs`` are reused (resumable).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import abm
from abm import atomic
from abm.cli import add_workers
from abm.experiments import engine
from abm.experiments import hindcast as hc
from abm.params.scenario import ScenarioError
from abm.validation.hindcast import CA_BASE_SHARE
from abm.validation.setups import BASE_METALS

KEY = hc.ALLOCATION_KEY
GRID = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0)
SEEDS = tuple(range(1, 9))
SCENARIO = "history_2010"
YEARS = CA_BASE_SHARE[1] - 2010 + 1  # 2010-01 to the target's last year (12: 2010-2021)
TIE_FRAC = 0.01  # objectives within 1% of the best are ties (as scripts/fit_hindcast.py)
COMMAND = "fit_allocation"  # the output folder's owner (abm.atomic marker)


def tasks(beta: float) -> list[engine.Task]:
    """The replay at one β for every seed; the id names β and a hash of the scenario."""
    spec = hc.load_spec(len(SEEDS)).scenarios[0]
    fp = engine.fingerprint(spec, YEARS, abm.__version__, [[KEY, beta]])
    return [
        engine.Task(f"{SCENARIO}__b{beta:g}__seed{s}__{fp}", spec, s, ((KEY, beta),), YEARS)
        for s in SEEDS
    ]


def base_share(annual: pd.DataFrame, year: int) -> np.ndarray:
    """Canada's base-metal share of exploration in ``year``, per seed."""
    ca = annual[(annual.country == "CA") & (annual.year == year)].set_index(["seed", "indicator"])
    total = ca.value.xs("exploration_usd", level="indicator")
    base = sum(ca.value.xs(f"exploration_usd.{m}", level="indicator") for m in BASE_METALS)
    return (base / total).to_numpy()


def evaluate(beta: float, store: Path, workers: int) -> dict[str, float]:
    """The objective and what it is made of at one β."""
    ts = tasks(beta)
    done = engine.execute(ts, hc.mineral_annual_worker, store, workers=workers, progress=False)
    if done.failed:
        raise RuntimeError(f"{len(done.failed)} runs failed; tracebacks in {store}")
    annual = engine.load_results(ts, store)
    first, last, observed = CA_BASE_SHARE
    a, b = base_share(annual, first), base_share(annual, last)
    ratio = float(np.mean(b / a))
    table = hc.hindcast_table(annual, SCENARIO)
    return {
        "beta": beta,
        f"share_{first}": float(a.mean()),
        f"share_{last}": float(b.mean()),
        "share_ratio": ratio,
        "objective": (math.log(ratio) - math.log1p(observed)) ** 2,
        "msle_2010_2017": hc.fit_objective(table, hc.FIT_WINDOW),
    }


def choose(grid: pd.DataFrame) -> pd.Series:
    """The smallest objective; ties (within TIE_FRAC) to the smaller β."""
    best = grid.objective.min()
    return grid[grid.objective <= best * (1 + TIE_FRAC)].sort_values("beta").iloc[0]


def fit(out: Path, workers: int) -> int:
    """Evaluate the grid (finished runs in ``out/runs`` are reused), write the choice."""
    rows = []
    for i, beta in enumerate(GRID, 1):
        rows.append(evaluate(beta, out / "runs", workers))
        r = rows[-1]
        print(
            f"[{i}/{len(GRID)}] beta {beta:g}: share {r['share_2017']:.1%} -> "
            f"{r['share_2021']:.1%} (ratio {r['share_ratio']:.3f}), objective "
            f"{r['objective']:.4f}, 2010-2017 MSLE {r['msle_2010_2017']:.4f}",
            flush=True,
        )
    grid = pd.DataFrame(rows)
    atomic.write_file(out / "grid.csv", lambda f: grid.to_csv(f, index=False))
    chosen = choose(grid)
    result = {"key": KEY, "seeds": list(SEEDS), "chosen": chosen.to_dict()}
    atomic.write_text(out / "fit.json", json.dumps(result, indent=2) + "\n")
    print(
        f"mineral_trend_elasticity = {chosen.beta:g}  # FITTED: Canada's base-metal share "
        f"2021/2017 (scripts/fit_allocation.py; ratio {chosen.share_ratio:.3f} against "
        f"{1 + CA_BASE_SHARE[2]:.3f})"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_workers(p)
    p.add_argument("--out", default="outputs/fit_allocation")
    args = p.parse_args(argv)
    try:
        with atomic.claim(args.out, COMMAND) as claim:
            return fit(claim.start_in_place(), args.workers)
    except ScenarioError as exc:  # a folder this script did not write: one line, exit 2
        print(f"fit_allocation: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
