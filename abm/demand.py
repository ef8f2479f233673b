"""North American demand: the outlook path (``market.demand_scenario``) and the short-run
price response.

Demand wanted in a month = 2024 consumption (``params/minerals.toml``, by country) x the
outlook's growth index since the start x (delivered price / reference delivered price) **
(-elasticity). The index compounds each calendar year's growth month by month:

* world growth per mineral and year comes from ``params/demand_outlook.csv``
  (:mod:`abm.params.demand`: IEA GCMO 2024 for steps/aps/nze, ILZSG and Silver Institute
  figures or stated ASSUMPTIONs for minerals IEA does not total, ``trend`` = the USGS
  2020-2024 apparent-consumption trend, the model's behaviour before the outlooks);
* North American growth = ``market.na_demand_growth_factor`` x world growth (no source
  projects NA demand separately; see :data:`abm.params.demand.NA_RULE`), plus
  ``market.demand_growth_shift_frac_per_year``; a per-mineral
  ``market.demand_growth_frac_per_year.<mineral>`` (NaN = from the outlook) replaces it;
* years outside the table (2024-2035) take the nearest year's growth (stated, not silent:
  a 2010 replay uses 2024's growth unless it overrides demand).

The world index (growth without the NA factor, shift or override) scales world supply in
the inverse-demand feedback of regional output on the world price.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from abm.params.demand import FIRST_YEAR, LAST_YEAR, load_demand_outlook, world_growth
from abm.params.schema import MINERALS


@cache
def _outlook_growth(scenario: str) -> np.ndarray:
    """(Y, M) world growth 2024-2035 for one outlook scenario (read once per process)."""
    out = world_growth(load_demand_outlook(), scenario)
    out.setflags(write=False)
    return out


def growth_by_year(scenario: str, years: np.ndarray) -> np.ndarray:
    """(len(years), M) world growth per year; years outside the table take the nearest."""
    table = _outlook_growth(scenario)
    idx = np.clip(np.asarray(years) - FIRST_YEAR, 0, LAST_YEAR - FIRST_YEAR)
    return table[idx]


def na_growth_by_year(values: dict, world: np.ndarray) -> np.ndarray:
    """North American growth per year from world growth, the shift and the overrides."""
    na = values["market.na_demand_growth_factor"] * world
    na = na + values["market.demand_growth_shift_frac_per_year"]
    fixed = np.array([values[f"market.demand_growth_frac_per_year.{m}"] for m in MINERALS])
    return np.where(np.isnan(fixed), na, fixed)


@dataclass(frozen=True)
class DemandPath:
    """Demand growth indices per step since the start (index 1.0 at step 0)."""

    na_index: np.ndarray  # (n_steps + 1, M)
    world_index: np.ndarray  # (n_steps + 1, M)

    @classmethod
    def from_values(cls, values: dict, start_year: int, start_month: int, n_steps: int):
        """Compound each simulated month's calendar-year growth (month k of the run lies in
        calendar year ``start_year + (start_month - 1 + k - 1) // 12``)."""
        months = np.arange(1, n_steps + 1)
        years = start_year + (start_month - 1 + months - 1) // 12
        world = growth_by_year(values["market.demand_scenario"], years)
        na = na_growth_by_year(values, world)
        zero = np.zeros((1, len(MINERALS)))

        def index(g: np.ndarray) -> np.ndarray:
            return np.exp(np.concatenate([zero, np.cumsum(np.log1p(g) / 12.0, axis=0)]))

        return cls(index(na), index(world))

    def na_at(self, step: int) -> np.ndarray:
        """NA growth index at ``step`` (steps past the path hold the last level)."""
        return self.na_index[min(step, len(self.na_index) - 1)]

    def world_at(self, step: int) -> np.ndarray:
        """World growth index at ``step``."""
        return self.world_index[min(step, len(self.world_index) - 1)]


def price_response(price: np.ndarray, reference: np.ndarray, elasticity: float) -> np.ndarray:
    """Demand multiple at ``price`` relative to demand at ``reference`` (constant elasticity)."""
    ratio = np.divide(price, reference, out=np.ones_like(price), where=reference > 0)
    return np.maximum(ratio, 0.0) ** (-elasticity)
