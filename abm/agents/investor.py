"""Investors: allocate equity for junior exploration across the three countries or abroad."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from abm.params.schema import COUNTRIES

if TYPE_CHECKING:
    from abm.model import MiningModel

OUTSIDE = len(COUNTRIES)  # allocation index of "outside North America"


class Investor(mesa.Agent):
    """A fund choosing where its junior-mining equity goes.

    Utility of a destination = log of its calibrated base share + response x log of the
    relative expected value of exploring there - risk aversion x (extra country risk and
    policy-uncertainty premia) + home bias. The allocation moves toward the logit
    choice, keeping ``momentum_frac`` of last month's allocation.
    """

    model: MiningModel

    def __init__(
        self,
        model: MiningModel,
        capital_usd_per_year: float,
        risk_aversion: float,
        home: int,
        base_shares: np.ndarray,
    ) -> None:
        super().__init__(model)
        self.capital_usd_per_year = capital_usd_per_year
        self.risk_aversion = risk_aversion
        self.home = home
        self.base_shares = base_shares  # (C + 1,) shared calibrated base, incl. outside
        self.allocation = base_shares.copy()

    def step(self) -> None:
        """Re-allocate toward the destinations with the best risk-adjusted prospects."""
        v = self.model.values
        attract = self.model.country_attractiveness  # (C,) relative EV for juniors
        extra_risk = self.model.extra_risk_frac  # (C,) premia above the reference
        util = np.log(np.maximum(self.base_shares, 1e-12))
        util[:OUTSIDE] += v["firms.npv_response"] * np.log(np.maximum(attract, 1e-6))
        util[:OUTSIDE] -= self.risk_aversion * extra_risk
        util[self.home] += v["investors.home_bias_frac"]
        util -= util.max()
        target = np.exp(util) / np.exp(util).sum()
        keep = v["investors.momentum_frac"]
        self.allocation = keep * self.allocation + (1 - keep) * target

    def monthly_flows_usd(self) -> np.ndarray:
        """Equity put into juniors by destination this month, shape (C + 1,)."""
        return self.capital_usd_per_year / 12.0 * self.allocation
