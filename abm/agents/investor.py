"""Investors: allocate equity for junior exploration across the three countries or abroad.

Each investor is a Mesa agent (capital, risk aversion, home country); the allocation of all
investors is decided together by :class:`InvestorPool` (one numpy evaluation a month
instead of a Python loop over funds).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from abm.params.schema import COUNTRIES

if TYPE_CHECKING:
    from abm.model import MiningModel

OUTSIDE = len(COUNTRIES)  # allocation index of "outside North America"
# Numerical floors of the logs in the utility (not behaviour).
_MIN_SHARE = 1e-12
_MIN_ATTRACTIVENESS = 1e-6


class InvestorPool:
    """Allocations of all investors, shape (I, C + 1).

    Utility of a destination = log of its calibrated base share + response x log of the
    relative expected value of exploring there - risk aversion x (extra country risk and
    policy-uncertainty premia) + home bias. Each allocation moves toward the logit choice,
    keeping ``investors.momentum_frac`` of last month's allocation.
    """

    def __init__(
        self,
        capital_usd_per_year: np.ndarray,
        risk_aversion: np.ndarray,
        home: np.ndarray,
        base_shares: np.ndarray,
    ) -> None:
        self.capital_usd_per_year = capital_usd_per_year
        self.risk_aversion = risk_aversion
        self.home = home
        self.base_shares = base_shares  # (C + 1,) shared calibrated base, incl. outside
        self.allocation = np.tile(base_shares, (len(home), 1))

    def __len__(self) -> int:
        return len(self.home)

    def step(self, values: dict[str, Any], attract: np.ndarray, extra_risk: np.ndarray) -> None:
        """Re-allocate toward the destinations with the best risk-adjusted prospects.

        ``attract`` (C,): juniors' relative expected value by country; ``extra_risk`` (C,):
        discount premia above the calibration reference.
        """
        n = len(self)
        util = np.tile(np.log(np.maximum(self.base_shares, _MIN_SHARE)), (n, 1))
        util[:, :OUTSIDE] += values["firms.npv_response"] * np.log(
            np.maximum(attract, _MIN_ATTRACTIVENESS)
        )
        util[:, :OUTSIDE] -= self.risk_aversion[:, None] * extra_risk[None, :]
        util[np.arange(n), self.home] += values["investors.home_bias_frac"]
        util -= util.max(axis=1, keepdims=True)
        e = np.exp(util)
        target = e / e.sum(axis=1, keepdims=True)
        keep = values["investors.momentum_frac"]
        self.allocation = keep * self.allocation + (1 - keep) * target

    def monthly_flows_usd(self, capital_multiple: float = 1.0) -> np.ndarray:
        """Equity put into juniors by destination this month, shape (C + 1,):
        ``capital_multiple`` x the calibrated capital (:class:`FinanceCycle`)."""
        per_month = capital_multiple * self.capital_usd_per_year / 12.0
        return (per_month[:, None] * self.allocation).sum(axis=0)


class FinanceCycle:
    """How much equity juniors raise, relative to the calibrated level, from the metal-price
    trend: investors buy exploration stories while prices rise and stop when they fall.

    Signal = exploration-weighted mean over minerals of the recent world price (12-month
    average, the firms' recent-price signal) over its long memory
    (``investors.price_trend_memory_months``); multiple = signal **
    ``investors.capital_price_elasticity`` (0 keeps the capital fixed). A trend, not a
    level: world budgets fell from $21.5bn (2012) to $7.2bn (2016) as prices fell, and in
    2023 stayed below 2012 with gold higher than in 2012 (pf nonferrous_exploration_budget_total).
    Both averages start at the first observed price: the months before the run when the
    price path has them (:meth:`warm`: the 2005-2009 history for a 2010 start, so the
    2009 crash and recovery are in the 2010 signal), else the first month's (multiple 1).
    """

    def __init__(self, mineral_weight: np.ndarray, recent_months: float) -> None:
        total = mineral_weight.sum()
        self.weight = mineral_weight / total if total > 0 else mineral_weight
        self.recent_months = recent_months
        self.recent_usd_per_t: np.ndarray | None = None
        self.memory_usd_per_t: np.ndarray | None = None

    def warm(self, values: dict[str, Any], past_usd_per_t: np.ndarray) -> None:
        """Run both averages over observed world prices of the months before the start
        (months x M, oldest first); none leaves the cold start."""
        for month in past_usd_per_t:
            self._advance(values, month)

    def step(self, values: dict[str, Any], world_usd_per_t: np.ndarray) -> float:
        """Advance both averages by one month; returns this month's capital multiple."""
        self._advance(values, world_usd_per_t)
        signal = float((self.weight * self.trend()).sum())
        return max(signal, _MIN_ATTRACTIVENESS) ** values["investors.capital_price_elasticity"]

    def trend(self) -> np.ndarray:
        """Each mineral's trend (M,): recent average over the long memory (1 before the first
        month and where the memory is 0)."""
        if self.recent_usd_per_t is None or self.memory_usd_per_t is None:
            return np.ones_like(self.weight)
        return np.divide(
            self.recent_usd_per_t,
            self.memory_usd_per_t,
            out=np.ones_like(self.recent_usd_per_t),
            where=self.memory_usd_per_t > 0,
        )

    def _advance(self, values: dict[str, Any], world_usd_per_t: np.ndarray) -> None:
        if self.recent_usd_per_t is None or self.memory_usd_per_t is None:
            self.recent_usd_per_t = world_usd_per_t.copy()
            self.memory_usd_per_t = world_usd_per_t.copy()
        self.recent_usd_per_t += (world_usd_per_t - self.recent_usd_per_t) / self.recent_months
        memory = values["investors.price_trend_memory_months"]
        self.memory_usd_per_t += (world_usd_per_t - self.memory_usd_per_t) / memory


class Investor(mesa.Agent):
    """A fund choosing where its junior-mining equity goes; a view on row ``index`` of the
    model's :class:`InvestorPool`."""

    model: MiningModel

    def __init__(self, model: MiningModel, pool: InvestorPool, index: int) -> None:
        super().__init__(model)
        self.pool = pool
        self.index = index

    @property
    def capital_usd_per_year(self) -> float:
        """Equity this fund puts into junior exploration a year."""
        return float(self.pool.capital_usd_per_year[self.index])

    @property
    def risk_aversion(self) -> float:
        """Weight of extra risk against expected value."""
        return float(self.pool.risk_aversion[self.index])

    @property
    def home(self) -> int:
        """Home country index."""
        return int(self.pool.home[self.index])

    @property
    def allocation(self) -> np.ndarray:
        """Current allocation over the three countries and outside North America."""
        return self.pool.allocation[self.index]
