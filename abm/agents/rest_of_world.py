"""The rest of the world: an exogenous supplier that can withhold exports of a mineral."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from abm.params.data import MineralData
from abm.params.schema import MINERALS

if TYPE_CHECKING:
    from abm.model import MiningModel

MAX_WITHHELD_FRAC = 0.99  # keeps the price multiple finite (a 100% embargo of world supply)


def restriction_frac(values: dict[str, Any]) -> np.ndarray:
    """Share of rest-of-world supply withheld, per mineral."""
    return np.array([values[f"trade.row_export_restriction.{m}"] for m in MINERALS])


def price_multiple(values: dict[str, Any], minerals: MineralData) -> np.ndarray:
    """World-price multiple caused by export restrictions, per mineral.

    A restriction withholds a share of the dominant non-USMCA supplier's output; with a
    constant-elasticity world demand the world price rises by ``(1 - w) ** (-1 / e)`` where
    ``w`` is the withheld share of world supply and ``e`` the demand elasticity (capped).
    """
    withheld = restriction_frac(values) * minerals.row_top_share_frac
    withheld = np.clip(withheld, 0.0, MAX_WITHHELD_FRAC)
    multiple = (1.0 - withheld) ** (-1.0 / values["market.demand_elasticity"])
    return np.minimum(multiple, values["market.max_price_multiple"])


class RestOfWorld(mesa.Agent):
    """Supplies what North America does not, at a delivered cost, and may restrict exports."""

    model: MiningModel

    def __init__(self, model: MiningModel, values: dict[str, Any], minerals: MineralData):
        super().__init__(model)
        self.values = values  # the model's live parameter table
        self.minerals = minerals

    def restriction_frac(self) -> np.ndarray:
        """Share of rest-of-world supply withheld now, per mineral."""
        return restriction_frac(self.values)

    def price_multiple(self) -> np.ndarray:
        """World-price multiple caused by the export restrictions now in force."""
        return price_multiple(self.values, self.minerals)
