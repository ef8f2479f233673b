"""Run workers of tests/agents/test_care_and_maintenance.py: whole-model runs on price paths
and on the baseline, in spawned processes. This module must not import ``conftest``: pytest
puts the test folders on ``sys.path`` in collection order, so a spawned worker importing
``conftest`` may find tests/viz/conftest.py instead of tests/conftest.py."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from abm import MiningModel, known_assets
from abm.agents import decisions
from abm.params.data import load_minerals
from abm.params.schema import COUNTRIES, MINERALS
from abm.projects import Stage

YEARS = 6
SHOCK_MONTH = 13  # first month of a shock (a year of flat prices before it)
DROP_MONTHS = 24
DROP_FRAC = 0.4  # world prices at 40% of the minerals table's
RECOVERY_FRAC = 1.6


def _factors(path: str) -> np.ndarray:
    f = np.ones(12 * YEARS)
    if path == "one_month":
        f[SHOCK_MONTH - 1] = DROP_FRAC
    elif path == "sustained":
        f[SHOCK_MONTH - 1 : SHOCK_MONTH - 1 + DROP_MONTHS] = DROP_FRAC
        f[SHOCK_MONTH - 1 + DROP_MONTHS :] = RECOVERY_FRAC
    return f


@cache
def _csv(folder: str, path: str) -> str:
    """A price-path CSV: every mineral at its minerals-table price x the path's factor."""
    out = Path(folder) / f"prices_{path}.csv"
    rows = ["mineral,month,price_usd_per_t,source"]
    prices = load_minerals().price_usd_per_t
    for k, f in enumerate(_factors(path)):
        month = f"{2025 + k // 12}-{k % 12 + 1:02d}"
        rows += [f"{m},{month},{p * f},test" for m, p in zip(MINERALS, prices, strict=True)]
    out.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return str(out)


def _trace(job: tuple[int, str]) -> dict[str, np.ndarray]:
    """One run on a price path: which of the mines producing before the shock are idle each
    month (rows, months), their unit cost over their mineral's price, their restarts."""
    seed, csv = job
    model = MiningModel("baseline", rng=seed, years=YEARS, overrides={"market.price_path": csv})
    book = model.projects
    for _ in range(SHOCK_MONTH - 1):
        model.step()
    rows = book.in_stage(Stage.PRODUCTION)
    rows = rows[(book.primary[rows] < 0) & ~book.idle[rows]]
    idle = np.zeros((len(rows), model.n_steps - SHOCK_MONTH + 1), dtype=bool)
    money = np.zeros(2)  # restart costs due, what owners paid beyond the holding costs
    original = decisions.care_and_maintenance
    decisions.care_and_maintenance = _counting(original, money)  # this worker process only
    try:
        while model.running:
            model.step()
            idle[:, model.steps - SHOCK_MONTH] = book.idle[rows] & (
                book.stage[rows] == Stage.PRODUCTION
            )
    finally:
        decisions.care_and_maintenance = original
    price = model.minerals.price_usd_per_t[book.mineral[rows]]
    return {
        "idle": idle,
        "cost_ratio": book.unit_cost_usd_per_t[rows] / price,
        "restart_due_usd": money[0],
        "restart_paid_usd": money[1],
    }


def _counting(decide, money: np.ndarray):
    """``care_and_maintenance`` that adds up, for private mines, the restart costs due
    (``projects.restart_cost_frac_of_capex`` x capex of each mine restarting) and what the
    owners' cash fell by beyond the holding cost of the mines idle."""

    def counted(values, book, fa, prod, smoothed, expected):
        was_idle = book.idle[prod].copy()
        cash = fa.cash_usd.sum()
        running = decide(values, book, fa, prod, smoothed, expected)
        private = book.owner[prod] >= 0
        restart = was_idle & running & private
        idle = ~running & private
        cost = book.unit_cost_usd_per_t[prod]
        holding = values["projects.care_maintenance_cost_frac_of_opex"] * book.capacity_t[prod]
        money[0] += (values["projects.restart_cost_frac_of_capex"] * book.capex_usd[prod])[
            restart
        ].sum()
        money[1] += cash - fa.cash_usd.sum() - (holding * cost / 12.0)[idle].sum()
        return running

    return counted


def _baseline_trace(seed: int) -> dict:
    """A 10-year baseline run: output by country and mineral each month (step 0 first), the
    months in which a known project started producing (by mineral), and the cells in which no
    mine is producing at the end (closed for good)."""
    model = MiningModel("baseline", rng=seed, years=10)
    out = [model.production_t.copy()]
    while model.running:
        model.step()
        out.append(model.production_t.copy())
    book = model.projects
    starts = known_assets.started(book)
    prod = book.stage == Stage.PRODUCTION
    alive = np.zeros((len(COUNTRIES), len(MINERALS)), dtype=bool)
    alive[book.country[prod], book.mineral[prod]] = True
    return {
        "production_t": np.array(out),
        "known_starts": {
            (MINERALS.index(r.mineral), int(r.production_step)): r.name for r in starts.itertuples()
        },
        "closed": ~alive,
    }
