"""Drawing deposits: the size, cost, life and timing of new projects (discoveries, the
starting pipeline and the starting mines) from the model's generator.

The spreads below are distribution shapes, not calibration targets; each is an ASSUMPTION
with the range a sensitivity analysis could use. Means come from declared parameters.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from abm.params.data import MineralData
from abm.params.schema import COUNTRIES, MINERALS
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
# A cell's typical new deposit follows its known projects where at least this many
# non-producing mine projects have a sourced capacity (issue 13: "at least 2").
KNOWN_SIZE_MIN_PROJECTS = 2
# ASSUMPTION (range 2-20 and 1-1000): reserve life (USGS 2024 reserves / 2024 output) is
# clipped to these years before the cost shift, so that a token output over large reserves
# (US lithium: ~1,900 years) does not make a cell's deposits nearly free.
RESERVE_LIFE_CLIP_YEARS = (5.0, 100.0)
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


def known_deposit_size_t(
    table: Any, output_typical_t: np.ndarray, max_ratio: float
) -> tuple[np.ndarray, np.ndarray]:
    """(C, M) typical new deposit and a mask of the cells that follow their known projects.

    Where a cell has at least ``KNOWN_SIZE_MIN_PROJECTS`` non-producing mine projects (not
    plants, not by-product rows) with a sourced capacity in ``params/known_projects.csv``,
    the typical deposit is their median capacity, kept within ``[1/max_ratio, max_ratio]``
    times the output-based typical size (``max_ratio`` = 1 reproduces that size); other
    cells keep the output-based size.
    """
    typical = np.array(output_typical_t, dtype=float)
    rows = table[
        (table["stage"] != "PRODUCTION")
        & (table["facility"] != "processing")
        & ~table["byproduct"].astype(bool)
        & (table["capacity_t_per_year"] > 0)
    ]
    uses = np.zeros(typical.shape, dtype=bool)
    for (country, mineral), caps in rows.groupby(["country", "mineral"])["capacity_t_per_year"]:
        c, m = COUNTRIES.index(country), MINERALS.index(mineral)
        if len(caps) < KNOWN_SIZE_MIN_PROJECTS or not typical[c, m] > 0:
            continue
        lo, hi = typical[c, m] / max_ratio, typical[c, m] * max_ratio
        typical[c, m] = float(np.clip(np.median(caps.to_numpy(float)), lo, hi))
        uses[c, m] = True
    return typical, uses


def reserve_life_years(minerals: MineralData) -> np.ndarray:
    """(C, M) USGS 2024 reserves over 2024 mine output, clipped to
    ``RESERVE_LIFE_CLIP_YEARS``; NaN where either is not listed (no information)."""
    res, out = minerals.reserves_t, minerals.production_t
    with np.errstate(divide="ignore", invalid="ignore"):
        life = np.where((res > 0) & (out > 0), res / out, np.nan)
    return np.clip(life, *RESERVE_LIFE_CLIP_YEARS)


def reserve_cost_shift_frac(
    life_years: np.ndarray, weight: np.ndarray, elasticity: float
) -> np.ndarray:
    """(C, M) multiplier of new deposits' unit cost: ``(life / reference)^-elasticity``, the
    reference the weighted geometric mean life of the cells with a reserve life, 1 before
    normalising elsewhere; normalised so that its mean under ``weight`` (the share of
    exploration, so of discoveries, by cell) is 1 and the mean unit cost is unchanged."""
    known = np.isfinite(life_years) & (weight > 0)
    log_life = np.log(np.where(known, life_years, 1.0))
    ref = np.average(log_life[known], weights=weight[known]) if known.any() else 0.0
    shift = np.where(known, np.exp(-elasticity * (log_life - ref)), 1.0)
    return shift / np.average(shift, weights=weight) if weight.sum() > 0 else shift


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
        # (C, M) multiplier of new deposits' unit cost by reserve life (geology)
        self.unit_cost_shift_frac = np.ones_like(typical_capacity_t)

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
            primary=-1,
        )

    def unit_cost_frac(self, k: int, c: int, m: int) -> np.ndarray:
        """Operating costs of ``k`` new deposits of country ``c``, mineral ``m`` over the base
        price (lognormal, mean ``projects.unit_cost_frac_mean`` times the cell's reserve-life
        shift)."""
        sd = self.values["projects.unit_cost_frac_sd"]
        mean = self.values["projects.unit_cost_frac_mean"] * self.unit_cost_shift_frac[c, m]
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
        cost = self.unit_cost_frac(k, c, m)
        idx = self.add(c, m, caps, stage, owners, cost, step, concession_years)
        self.book.timer[idx] = rng.gamma(
            STAGE_TIME_GAMMA_SHAPE, v["projects.resource_months"] / STAGE_TIME_GAMMA_SHAPE, k
        )
        return idx
