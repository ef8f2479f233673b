"""Drawing deposits: the size, cost, life and timing of new projects (discoveries, the
starting pipeline and the starting mines) from the model's generator.

The spreads below are distribution shapes, not calibration targets; each is an ASSUMPTION
with the range a sensitivity analysis could use. Means come from declared parameters.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from abm.params.data import MineralData
from abm.projects import ProjectBook, Stage

# ASSUMPTION (range 0.2-0.6): half-width of a new mine's life around projects.mine_life_years.
LIFE_SPREAD_FRAC = 0.4  # uniform(1 - x, 1 + x)
# ASSUMPTION (range 0.2-0.5): log-sd of a mine's capex around projects.capex_years_of_revenue.
CAPEX_LOG_SD = 0.3
# ASSUMPTION (range 0.2-0.4): construction time spread around projects.construction_months.
BUILD_SPREAD_FRAC = 0.3  # uniform(1 - x, 1 + x)
# ASSUMPTION (range 0.3-0.8): log-sd of a discovery's size around the typical deposit.
DEPOSIT_SIZE_LOG_SD = 0.5
# Gamma shape of the resource and feasibility stage durations (coefficient of variation
# 1/sqrt(4) = 0.5; ASSUMPTION, range 2-8).
STAGE_TIME_GAMMA_SHAPE = 4.0
# Concession terms longer than this are treated as unbounded (US and Canadian claims carry
# 100 years in the baseline): 150 years keeps the expiry step inside int32.
MAX_CONCESSION_YEARS = 150.0


def choice_by_weight(rng: np.random.Generator, p: np.ndarray, size: int) -> np.ndarray:
    """Indices drawn with replacement with probabilities ``p`` (non-negative, summing to 1).

    The same algorithm and draws as ``rng.choice(len(p), size, p=p)`` (cumulative weights,
    one uniform per draw, right-sided search), without its validation of ``p``, which cost
    three quarters of the call on the hot path (tested against numpy's in tests).
    """
    cdf = np.cumsum(p)
    cdf /= cdf[-1]
    return cdf.searchsorted(rng.random(size), side="right")


class DepositFactory:
    """Adds projects to a :class:`ProjectBook`, drawing their attributes from ``rng``.

    ``values`` is the model's live parameter table (structural means are read at the time of
    the draw); ``typical_capacity_t`` (C, M) is the size of a typical deposit.
    """

    def __init__(
        self,
        book: ProjectBook,
        values: dict[str, Any],
        minerals: MineralData,
        rng: np.random.Generator,
        typical_capacity_t: np.ndarray,
    ) -> None:
        self.book = book
        self.values = values
        self.minerals = minerals
        self.rng = rng
        self.typical_capacity_t = typical_capacity_t
        # (C, M) discoveries per dollar relative to a cell with a known resource (geology)
        self.discovery_rate_frac = np.ones_like(typical_capacity_t)

    def add(
        self,
        c: int,
        m: int,
        caps: np.ndarray,
        stage: Stage,
        owners: np.ndarray,
        unit_cost_frac: np.ndarray,
        step: int,
        concession_years: float,
        life_left: np.ndarray | None = None,
    ) -> np.ndarray:
        """Add ``len(caps)`` projects of country ``c`` and mineral ``m``; returns their rows."""
        v, rng = self.values, self.rng
        k = len(caps)
        price = self.minerals.price_usd_per_t[m]
        life = v["projects.mine_life_years"] * rng.uniform(
            1 - LIFE_SPREAD_FRAC, 1 + LIFE_SPREAD_FRAC, k
        )
        return self.book.add(
            owner=owners,
            country=c,
            mineral=m,
            stage=int(stage),
            timer=0.0,
            held=0.0,
            capacity_t=caps,
            unit_cost_usd_per_t=unit_cost_frac * price,
            capex_usd=v["projects.capex_years_of_revenue"]
            * caps
            * price
            * rng.lognormal(0, CAPEX_LOG_SD, k),
            life_years=life,
            life_left_years=life if life_left is None else life_left,
            discovered_step=step,
            applied_step=-1,
            production_step=-1,
            build_months=v["projects.construction_months"]
            * rng.uniform(1 - BUILD_SPREAD_FRAC, 1 + BUILD_SPREAD_FRAC, k),
            concession_end_step=step + int(12 * min(concession_years, MAX_CONCESSION_YEARS)),
            joint_venture=False,
            loss_months=0.0,
            idle=False,
            rate_reduction_frac=0.0,
            known=-1,
            host_scaled=False,
        )

    def unit_cost_frac(self, k: int) -> np.ndarray:
        """Operating costs of ``k`` new deposits over the base price (lognormal, mean
        ``projects.unit_cost_frac_mean``)."""
        sd = self.values["projects.unit_cost_frac_sd"]
        mean = self.values["projects.unit_cost_frac_mean"]
        return mean * np.exp(self.rng.normal(-sd * sd / 2, sd, k))

    def discover(
        self,
        c: int,
        m: int,
        owners: np.ndarray,
        step: int,
        concession_years: float,
        stage: Stage = Stage.RESOURCE,
    ) -> np.ndarray:
        """New deposits in country ``c``, mineral ``m`` (discoveries or starting pipeline)."""
        v, rng = self.values, self.rng
        k = len(owners)
        sd_size = DEPOSIT_SIZE_LOG_SD
        caps = self.typical_capacity_t[c, m] * rng.lognormal(-sd_size * sd_size / 2, sd_size, k)
        idx = self.add(c, m, caps, stage, owners, self.unit_cost_frac(k), step, concession_years)
        self.book.timer[idx] = rng.gamma(
            STAGE_TIME_GAMMA_SHAPE, v["projects.resource_months"] / STAGE_TIME_GAMMA_SHAPE, k
        )
        return idx
