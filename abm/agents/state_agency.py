"""State exploration agencies (e.g. Mexico's SGM / LitioMx) for minerals reserved to the state."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from abm.params.schema import MINERALS
from abm.projects import STATE_OWNER, Stage

if TYPE_CHECKING:
    from abm.agents.government import Government
    from abm.model import MiningModel


class StateAgency(mesa.Agent):
    """Explores and develops the minerals its government reserves, within its budget.

    The budget accrues monthly into a fund. While one of its projects waits for
    construction money the agency saves; otherwise it spends up to a month's budget on
    exploration of its reserved minerals (split by their calibrated exploration weights).
    """

    model: MiningModel

    def __init__(self, model: MiningModel, government: Government) -> None:
        super().__init__(model)
        self.government = government
        self.fund_usd = 0.0
        self.spend_usd = np.zeros(len(MINERALS))  # this month's exploration, by mineral

    def step(self) -> None:
        """Accrue the budget and explore what the fund allows."""
        self.spend_usd = np.zeros(len(MINERALS))
        monthly = self.government.lever("state_exploration_budget_usd") / 12.0
        self.fund_usd += monthly
        mask = self.government.reserved_mask()
        if not mask.any():
            return
        book = self.model.projects
        c = self.government.index
        waiting = np.any(
            (book.owner == STATE_OWNER) & (book.country == c) & (book.stage == Stage.APPROVED)
        )
        if waiting:
            return
        spend = min(self.fund_usd, monthly)
        weights = self.model.base_cell_weight[c] * mask
        if weights.sum() <= 0:
            weights = mask.astype(float)
        self.spend_usd = spend * weights / weights.sum()
        self.fund_usd -= spend
