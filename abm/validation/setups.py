"""The runs the checks need ("arms"), defined here in code, and the engine worker.

Each arm is a scenario built from the baseline with overrides and, for the policy shocks, a
dated :class:`PolicyChange`. Arms run with the same seeds, so arms that differ only by a
policy change are paired (common random numbers). The worker returns one compact tidy frame
per run: selected indicators of the timeseries plus one ``project`` row per project
(``step`` = discovery step, ``value`` = first production step or -1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from abm.experiments.engine import Task
from abm.params.scenario import PolicyChange, Scenario, load_scenario
from abm.params.schema import COUNTRIES

SHOCK_DATE = "2026-01"  # policy shocks hit after one simulated year (2025) as the "before"
# Base metals as NRCan counts them, among the model's minerals; the history arm keeps their
# exploration rows, and gold's and lithium's (abm/validation/hindcast.py: the allocation checks)
BASE_METALS = ("copper", "zinc", "lead", "nickel")
BY_MINERAL = (*BASE_METALS, "gold", "lithium")
BY_MINERAL_ARMS = ("history_2010",)

# Mexico before 2014 (primer "Fiscal regimes" and "Mexico's policy path"; public_figures.csv
# rows 7, 9, 13): no special or extraordinary duty, exploration deducted at once, 50+50-year
# concessions (100 = the old maximum tenure, pf row 16), new concessions granted, no mineral
# reserved to the state. ISR 30% and PTU 10% as today (pf rows 2, 4).
MX_PRE_2014 = {
    "government.MX.royalty_rate": 0.0,
    "government.MX.precious_metals_duty": 0.0,
    "government.MX.exploration_deduction_years": 1.0,
    "government.MX.new_concessions": True,
    "government.MX.concession_years": 100.0,
    "government.MX.held_ground_access_frac": 1.0,
    "government.MX.state_reserved_minerals": [],
    "government.MX.state_exploration_budget_usd": 0.0,
}
# The 2014 fiscal reform: special duty 7.5% of an EBITDA-like base (pf row 7, 2014-2024),
# extraordinary duty 0.5% of gold/silver revenue (pf row 9), exploration deducted over 10
# years (primer: "Since 2014 exploration costs are deducted over 10 years").
MX_2014_FISCAL = {
    "government.MX.royalty_rate": 0.075,
    "government.MX.precious_metals_duty": 0.005,
    "government.MX.exploration_deduction_years": 10.0,
}
# Mexico 2014-2022 = pre-2014 plus the 2014 fiscal reform.
MX_PRE_2023 = {**MX_PRE_2014, **MX_2014_FISCAL}
# The 2023 reform as the baseline encodes it (params/scenarios/baseline.toml [government.MX]):
# no new concessions (exploration on held ground only), 30-year concessions (pf row 14),
# lithium reserved to the state with LitioMx's budget.
MX_2023_REFORM = {
    "government.MX.new_concessions": False,
    "government.MX.concession_years": 30.0,
    "government.MX.held_ground_access_frac": 0.75,
    "government.MX.state_reserved_minerals": ["lithium"],
    "government.MX.state_exploration_budget_usd": 2.0e7,
}
# Efficient permitting: the US brought to Canada's permitting (pf row 34, NMA comparison:
# Canada 2-3 years vs US 7-10): Canada's minimum review (18 months, baseline.toml) and five
# times the decisions a year, so the US queue clears to about two years.
US_EFFICIENT_PERMITTING = {
    "government.US.permit_review_months": 18.0,
    "government.US.permit_capacity_per_year": 20.0,
}


@dataclass(frozen=True)
class Arm:
    """A named run set-up: base overrides, an optional dated change, a horizon in years."""

    name: str
    years: int
    overrides: dict[str, Any] = field(default_factory=dict)
    change: dict[str, Any] = field(default_factory=dict)
    label: str = ""
    base: str = "baseline"  # the scenario the arm starts from (history_2010 for the hindcast)

    def scenario(self) -> Scenario:
        """The resolved scenario of this arm."""
        base = load_scenario(self.base)
        spec = base.with_overrides({**self.overrides, "simulation.years": self.years})
        schedule = list(spec.schedule)
        if self.change:
            schedule.append(PolicyChange(SHOCK_DATE, dict(self.change), self.label))
        desc = f"validation arm {self.name}"
        return Scenario(f"validation-{self.name}", spec.values, schedule, desc, spec.sources)


ARMS: dict[str, Arm] = {
    a.name: a
    for a in (
        Arm("baseline", 5),
        Arm("baseline_30y", 30),
        Arm("us_efficient_permitting", 5, US_EFFICIENT_PERMITTING),
        Arm("mx_pre2014", 3, MX_PRE_2014),
        Arm("mx_2014_fiscal", 3, MX_PRE_2014, MX_2014_FISCAL, "2014 fiscal reform"),
        Arm("mx_pre2023", 3, MX_PRE_2023),
        Arm("mx_2023_reform", 3, MX_PRE_2023, MX_2023_REFORM, "2023 mining reform"),
        # the 2010-2024 replay (params/scenarios/history_2010.toml; abm/validation/hindcast.py)
        Arm("history_2010", 15, base="history_2010"),
    )
}


@cache
def _scenario(arm: str) -> Scenario:
    return ARMS[arm].scenario()


def tasks(arms: list[str], seeds: list[int]) -> list[Task]:
    """One task per (arm, seed); the run id names both."""
    return [Task(f"{a}-seed{s}", a, s) for a in arms for s in seeds]


# The step-0 US trade the starting check reads (abm/validation/starting.py, start_us_nir_usgs).
STARTING_TRADE = ("consumption_t", "processing_feed_t", "secondary_supply_t")


def worker(task: Task) -> pd.DataFrame:
    """Run one arm for one seed; return the compact frame (module docstring)."""
    from abm.model import MiningModel

    arm = ARMS[str(task.scenario)]
    model = MiningModel(_scenario(arm.name), rng=task.seed)
    while model.running:
        model.step()
    ts = model.recorder.to_frame()
    minerals = ("all", *BY_MINERAL) if arm.name in BY_MINERAL_ARMS else ("all",)
    keep = (
        ((ts.indicator == "exploration_usd") & ts.mineral.isin(minerals))
        | ((ts.indicator == "production_t") & (ts.step == 0))
        | ((ts.indicator == "import_dependency") & (ts.country == "NA"))
        | (ts.indicator == "mean_permit_wait_months")
        | (ts.indicator.isin(STARTING_TRADE) & (ts.step == 0) & (ts.country == "US"))
    )
    ts = ts[keep]
    book = model.projects
    projects = pd.DataFrame(
        {
            "step": book.discovered_step.astype(np.int32),
            "date": "",
            "country": np.array(COUNTRIES)[book.country.astype(int)],
            "mineral": "all",
            "indicator": "project",
            "value": book.production_step.astype(np.float64),
        }
    )
    out = pd.concat([ts, projects], ignore_index=True)
    return out.assign(arm=arm.name, seed=task.seed)
