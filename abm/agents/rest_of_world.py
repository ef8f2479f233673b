"""The rest of the world: an exogenous supplier that can withhold exports of a mineral, and
whose other producers respond to a restriction over years.

Each month the rest of the world decides what it offers North America (a
:class:`RowOffer`); the market clears it. A restriction withholds
``trade.row_export_restriction.<m>`` of the dominant non-USMCA supplier's output
(``top_row_supplier_share_frac`` of world supply, USGS MCS 2025); it decays at
``trade.row_restriction_decay_frac_per_year`` (0: it persists), and other producers replace
up to ``trade.row_supply_response_frac`` of the withheld volume with a half-life of
``trade.row_supply_response_half_life_years`` (the post-2010 rare-earth response: new
supply outside China and demand substitution brought prices back within about three
years; params/history/prices_monthly.csv). The net withheld share ``w`` sets

* the world price multiple ``(1 - w) ** (-1 / e)`` (constant-elasticity world demand,
  ``market.demand_elasticity``), capped at ``market.max_price_multiple``, relative to that of
  the calibration reference's restrictions (the 2024 prices already hold China's 2023-2025
  controls, which baseline keeps in force: lifting them lowers prices below 2024's);
* the share of North America's import need the world can serve at that price: 1 while the
  price clears the world market, ``(1 - w) / multiple ** (-e)`` once the cap binds (the rest
  is rationed). North America buys from rest-of-world suppliers in proportion to their
  world output (ASSUMPTION: its imports are not more or less concentrated than world supply).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from abm.params.data import MineralData
from abm.params.schema import MINERALS

if TYPE_CHECKING:
    from abm.model import MiningModel

MAX_WITHHELD_FRAC = 0.99  # keeps the price multiple finite (a 100% embargo of world supply)
_KEYS = tuple(f"trade.row_export_restriction.{m}" for m in MINERALS)


def restriction_frac(values: dict[str, Any]) -> np.ndarray:
    """Share of rest-of-world supply withheld by the restricting supplier, per mineral."""
    return np.array([values[k] for k in _KEYS])


@dataclass(frozen=True)
class RowOffer:
    """What the rest of the world offers North America this month, per mineral."""

    price_multiple: np.ndarray  # world price multiple caused by the net restriction
    supply_frac: np.ndarray  # share of North America's import need it can serve (0-1)
    withheld_frac: np.ndarray  # net share of world supply withheld (after decay, response)


def offer(values: dict[str, Any], withheld_frac: np.ndarray) -> RowOffer:
    """Price multiple and import availability for a net withheld share of world supply."""
    w = np.clip(withheld_frac, 0.0, MAX_WITHHELD_FRAC)
    e = values["market.demand_elasticity"]
    multiple = np.minimum((1.0 - w) ** (-1.0 / e), values["market.max_price_multiple"])
    demand_at_price = multiple ** (-e)  # world demand at the capped price, share of normal
    supply = np.minimum((1.0 - w) / demand_at_price, 1.0)
    return RowOffer(multiple, supply, w)


def price_multiple(
    values: dict[str, Any], minerals: MineralData, reference: dict[str, Any]
) -> np.ndarray:
    """World-price multiple of the restrictions in ``values`` with no decay or response (the
    level a firm reading the policy expects), relative to the calibration reference's: the
    2024 prices of params/minerals.toml already hold the restrictions in force then (China's
    2023-2025 controls in baseline), so they are the price at the reference's level."""
    return _level(values, minerals) / _level(reference, minerals)


def _level(values: dict[str, Any], minerals: MineralData) -> np.ndarray:
    """Absolute world-price multiple of the undecayed restrictions in ``values``."""
    return offer(values, restriction_frac(values) * minerals.row_top_share_frac).price_multiple


def half_life_step_frac(half_life_years: float) -> float:
    """Share of a gap closed in one month under a half-life in years."""
    return 1.0 - 0.5 ** (1.0 / (12.0 * half_life_years))


class RestOfWorld(mesa.Agent):
    """Supplies what North America does not, may restrict exports, and responds to its own
    restrictions: the restriction decays and other producers expand."""

    model: MiningModel

    def __init__(
        self,
        model: MiningModel,
        values: dict[str, Any],
        minerals: MineralData,
        reference: dict[str, Any],
    ):
        super().__init__(model)
        self.values = values  # the model's live parameter table
        self.minerals = minerals
        # prices are relative to the reference's restrictions (see price_multiple)
        self.reference_multiple = _level(reference, minerals)
        n = len(MINERALS)
        self._lever = restriction_frac(values)  # restriction as last set by policy
        self._age_months = np.zeros(n)  # months since it was last set
        self.replaced_frac = np.zeros(n)  # share of world supply other producers replaced
        self.current = self._offer()

    def restriction_frac(self) -> np.ndarray:
        """Share of the restricting supplier's exports withheld now (after decay)."""
        decay = self.values["trade.row_restriction_decay_frac_per_year"]
        if decay == 0.0:
            return self._lever
        return self._lever * (1.0 - decay) ** (self._age_months / 12.0)

    def _offer(self, withheld: np.ndarray | None = None) -> RowOffer:
        if withheld is None:
            withheld = self.restriction_frac() * self.minerals.row_top_share_frac
        now = offer(self.values, np.maximum(withheld - self.replaced_frac, 0.0))
        return replace(now, price_multiple=now.price_multiple / self.reference_multiple)

    def step_offer(self) -> RowOffer:
        """Advance one month (policy may have changed the restriction) and return the offer."""
        v = self.values
        lever = restriction_frac(v)
        changed = lever != self._lever
        self._age_months = np.where(changed, 0.0, self._age_months + 1.0)
        self._lever = lever
        withheld = self.restriction_frac() * self.minerals.row_top_share_frac
        if not (withheld.any() or self.replaced_frac.any()):
            return self.current  # no restriction, nothing to respond to: the last offer holds
        target = v["trade.row_supply_response_frac"] * withheld
        rate = half_life_step_frac(v["trade.row_supply_response_half_life_years"])
        self.replaced_frac = self.replaced_frac + (target - self.replaced_frac) * rate
        self.current = self._offer(withheld)
        return self.current

    def price_multiple(self) -> np.ndarray:
        """World-price multiple of the restrictions as they stand now."""
        return self.current.price_multiple
