"""The rest of the world: an exogenous supplier that can withhold exports of a mineral."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from abm.params.schema import MINERALS

if TYPE_CHECKING:
    from abm.model import MiningModel


class RestOfWorld(mesa.Agent):
    """Supplies what North America does not, at a delivered cost, and may restrict exports.

    A restriction withholds a share of the dominant non-USMCA supplier's output; with a
    constant-elasticity world demand the world price rises by ``(1 - w) ** (-1 / e)`` where
    ``w`` is the withheld share of world supply and ``e`` the demand elasticity (capped).
    """

    model: MiningModel

    def restriction_frac(self) -> np.ndarray:
        """Share of rest-of-world supply withheld, per mineral."""
        v = self.model.values
        return np.array([v[f"trade.row_export_restriction.{m}"] for m in MINERALS])

    def price_multiple(self) -> np.ndarray:
        """World-price multiple caused by export restrictions, per mineral."""
        v = self.model.values
        withheld = self.restriction_frac() * self.model.minerals.row_top_share_frac
        withheld = np.clip(withheld, 0.0, 0.99)
        multiple = (1.0 - withheld) ** (-1.0 / v["market.demand_elasticity"])
        return np.minimum(multiple, v["market.max_price_multiple"])
