"""What happened in one month: the flows record the model assembles from the agents'
decisions and the market's clearing, and that the outputs reshape (never recompute)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from abm.agents.decisions import ExplorationFlows, ProductionFlows
from abm.market import Clearing
from abm.params.schema import COUNTRIES, MINERALS


@dataclass(frozen=True)
class MonthFlows:
    """Money and material moved in one month, by country (USD unless named otherwise)."""

    exploration: ExplorationFlows
    production: ProductionFlows
    clearing: Clearing
    study_usd: np.ndarray  # (C,) resource-definition and feasibility studies
    construction_usd: np.ndarray  # (C,) mine construction capex
    investor_flows_usd: np.ndarray  # (C + 1,) junior equity by destination (+ outside)

    @property
    def investment_usd(self) -> np.ndarray:
        """Mining investment by country: exploration, studies, construction, sustaining
        and processing capex."""
        explo = self.exploration.private_usd + self.exploration.state_usd
        return (
            explo.sum(1)
            + self.study_usd
            + self.construction_usd
            + self.production.sustaining_usd
            + self.clearing.processing_capex_usd
        )

    @property
    def government_revenue_usd(self) -> np.ndarray:
        """Fiscal take by country: royalties, duties and income tax, less production and
        exploration credits and the strategic-reserve top-up."""
        p = self.production
        return p.gov_take_usd - p.reserve_top_up_usd - self.exploration.credits_usd

    @classmethod
    def before_start(cls, production_t: np.ndarray, clearing: Clearing) -> MonthFlows:
        """The record of step 0 (no month simulated): zero flows, the starting output."""
        n_c, n_m = len(COUNTRIES), len(MINERALS)
        z_cm, z_c = np.zeros((n_c, n_m)), np.zeros(n_c)
        explo = ExplorationFlows(z_cm, z_cm, np.zeros((n_c, n_m), dtype=int), z_c)
        prod = ProductionFlows(production_t, z_cm, z_c, z_c, z_c, z_c)
        return cls(explo, prod, clearing, z_c, z_c, np.zeros(n_c + 1))
