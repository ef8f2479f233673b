"""State exploration agencies (e.g. Mexico's SGM / LitioMx) for minerals reserved to the state."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from abm.params.schema import MINERALS
from abm.projects import STATE_OWNER, ProjectBook, Stage

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

    def step(self, book: ProjectBook, base_weight: np.ndarray) -> np.ndarray:
        """Accrue the budget and explore what the fund allows; returns this month's
        exploration by mineral. ``base_weight`` (M,): this country's calibrated weights."""
        self.spend_usd = np.zeros(len(MINERALS))
        monthly = self.government.lever("state_exploration_budget_usd") / 12.0
        self.fund_usd += monthly
        mask = self.government.reserved_mask()
        if not mask.any():
            return self.spend_usd
        c = self.government.index
        waiting = np.any(
            (book.owner == STATE_OWNER) & (book.country == c) & (book.stage == Stage.APPROVED)
        )
        if waiting:
            return self.spend_usd
        # Studies are paid from the fund as they fall due (decisions.pay_studies) and can
        # overdraw it; an overdrawn agency explores nothing until its budget has repaid them.
        spend = min(max(self.fund_usd, 0.0), monthly)
        weights = base_weight * mask
        if weights.sum() <= 0:
            weights = mask.astype(float)
        self.spend_usd = spend * weights / weights.sum()
        self.fund_usd -= spend
        return self.spend_usd

    def pay_capex(self, capex_usd: float) -> bool:
        """Pay a project's construction from the fund if it can; True when paid."""
        if self.fund_usd < capex_usd:
            return False
        self.fund_usd -= capex_usd
        return True
