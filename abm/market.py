"""The market: prices, regional processing, trade and import dependency, cleared monthly.

Agents decide (firms produce and invest, the rest of the world restricts exports); the
market collects their supply, builds processing capacity where regionally mined ore
leaves the region unprocessed, and clears North American demand:

* world price: exogenous mean-reverting lognormal path around the 2024 price, times the
  export-restriction multiple set by the rest of the world;
* price received by regional producers: a blend of the regional and export netbacks, never
  below the floor a joint strategic reserve guarantees for its minerals (the top-up is a
  cost to the producing country's government);
* North American delivered price: the landed cost of the marginal import (world price,
  tariff, ocean freight, carrying cost in transit) while North America imports;
* regional supply = min(mine output, processing capacity) + secondary supply; import
  dependency = share of consumption supplied from outside USMCA.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.params.schema import COUNTRIES, MINERALS

if TYPE_CHECKING:
    from abm.model import MiningModel
    from abm.params.data import MineralData


def ocean_freight_usd_per_t(values: dict, minerals: MineralData) -> np.ndarray:
    """Ocean freight between North America and the rest of the world per tonne of content:
    the freight rate times the tonnage shipped (ore or concentrate) per tonne of content."""
    return values["trade.row_freight_usd_per_t"] * minerals.shipped_t_per_t


class Market:
    """Clears mineral markets each month; holds prices and processing capacity."""

    def __init__(self, model: MiningModel, production0_t: np.ndarray) -> None:
        self.model = model
        # World prices are exogenous to North American policy: their shocks come from their
        # own stream (spawned from the model's generator), so two runs with the same seed
        # share the price path whatever their policies (common random numbers).
        self.rng = model.rng.spawn(1)[0]
        data = model.minerals
        self.base_price = data.price_usd_per_t.copy()
        n_m = len(self.base_price)
        self.log_dev = np.zeros(n_m)
        self.consumption0_t = data.consumption_t.copy()
        self.demand_t = data.consumption_t.copy()
        total_q = production0_t.sum(axis=0)
        total_d = self.demand_t.sum(axis=0)
        regional = (1.0 - data.na_dependency_frac) * total_d
        k_total = np.minimum(total_q, regional)
        share = np.divide(
            production0_t, total_q, out=np.zeros_like(production0_t), where=total_q > 0
        )
        self.capacity_t = share * k_total  # (C, M) processing capacity, t/yr
        self.secondary_frac = np.maximum(regional - k_total, 0.0) / np.maximum(total_d, 1e-12)
        self.pending: list[tuple[int, int, int, float, float]] = []  # ready, c, m, t, capex/mo
        self.expected_price = self.base_price.copy()
        self.world_price = self.base_price.copy()
        self.na_price = self.base_price.copy()
        self.received_price = self.base_price.copy()
        self.floor_top_up_usd_per_t = np.zeros(n_m)  # strategic-reserve top-up over market
        self.dependency_na = data.na_dependency_frac.copy()
        self.dependency_by_country = np.tile(self.dependency_na, (len(COUNTRIES), 1))
        self.processing_capex_usd = np.zeros(len(COUNTRIES))
        self.imports_t = total_d * self.dependency_na
        self._ema = self.base_price.copy()

    # --- prices ------------------------------------------------------------------------
    def update_prices(self) -> None:
        """Advance the world price path one month (before agents decide)."""
        v = self.model.values
        data = self.model.minerals
        kappa = v["market.price_mean_reversion_frac_per_year"] / 12.0
        vol = np.minimum(data.volatility_frac_per_year, v["market.volatility_cap_frac_per_year"])
        sigma = vol * v["market.price_volatility_scale"] / np.sqrt(12)
        shock = self.rng.standard_normal(len(self.log_dev))
        self.log_dev = self.log_dev * (1.0 - kappa) + sigma * shock
        multiple = self.model.rest_of_world.price_multiple()
        self.world_price = self.base_price * np.exp(self.log_dev) * multiple
        growth = data.demand_growth_frac_per_year + v["market.demand_growth_shift_frac_per_year"]
        years = self.model.steps / 12.0
        self.demand_t = self.consumption0_t * np.exp(np.log1p(growth) * years)[None, :]
        self._update_delivered(multiple)

    def refresh_expectations(self) -> None:
        """Recompute delivered and expected prices under the current levers, no time step."""
        multiple = self.model.rest_of_world.price_multiple()
        self.world_price = self.base_price * np.exp(self.log_dev) * multiple
        self._update_delivered(multiple, reset=True)

    def _import_premium(self, world: np.ndarray) -> np.ndarray:
        """Landed cost of an import above the world price, per t of content."""
        v = self.model.values
        data = self.model.minerals
        carry = v["trade.inventory_carrying_cost_frac_per_year"] * v["trade.row_transit_days"] / 365
        return world * (v["trade.row_tariff"] + carry) + ocean_freight_usd_per_t(v, data)

    def _update_delivered(self, multiple: np.ndarray, reset: bool = False) -> None:
        v = self.model.values
        shipped = self.model.minerals.shipped_t_per_t
        w = self.world_price
        importing = self.dependency_na > 1e-6
        self.na_price = np.where(importing, w + self._import_premium(w), w)
        capture = (
            1.0
            if v["trade.rules_of_origin"] == "geological_origin"
            else v["trade.status_quo_preference_capture_frac"]
        )
        tariff_part = w * v["trade.row_tariff"] * (1.0 - capture)
        regional_net = self.na_price - tariff_part * importing
        regional_net = regional_net - v["trade.regional_freight_usd_per_t"] * shipped
        export_net = w - ocean_freight_usd_per_t(v, self.model.minerals)
        phi = self._regional_use_share()
        market_price = np.maximum(phi * regional_net + (1 - phi) * export_net, 0.0)
        floor = self.reserve_floor_usd_per_t()
        self.received_price = np.maximum(market_price, floor)
        self.floor_top_up_usd_per_t = self.received_price - market_price
        if reset:
            self._ema = self.received_price.copy()
        else:
            self._ema += (self.received_price - self._ema) / 12.0
        anchor_world = self.base_price * multiple
        anchor = phi * (anchor_world + self._import_premium(anchor_world) * importing) + (
            1 - phi
        ) * (anchor_world - ocean_freight_usd_per_t(v, self.model.minerals))
        w_recent = v["market.expectation_recent_weight_frac"]
        expected = w_recent * self._ema + (1 - w_recent) * anchor
        self.expected_price = np.maximum(expected, floor)

    def reserve_floor_usd_per_t(self) -> np.ndarray:
        """Price the strategic reserve guarantees regional producers, per mineral (0: none)."""
        v = self.model.values
        listed = np.isin(np.array(MINERALS), v["trade.strategic_reserve_minerals"])
        return listed * v["trade.strategic_reserve_floor_frac"] * self.base_price

    def _regional_use_share(self) -> np.ndarray:
        """Share of regional mine output used in North America (the rest is exported)."""
        q = self.model.production_t.sum(axis=0)
        used = np.minimum(np.minimum(q, self.capacity_t.sum(axis=0)), self.demand_t.sum(axis=0))
        return np.divide(used, q, out=np.ones_like(q), where=q > 0)

    # --- clearing ----------------------------------------------------------------------
    def clear(self) -> None:
        """Regional supply, imports and import dependency by country and for North America."""
        q = self.model.production_t  # (C, M) t/yr
        d = self.demand_t
        k = self.capacity_t
        total_q, total_k, total_d = q.sum(0), k.sum(0), d.sum(0)
        processed = np.minimum(total_q, total_k)
        k_share = np.divide(k, total_k, out=np.zeros_like(k), where=total_k > 0)
        own = k_share * processed + self.secondary_frac * d
        home = np.minimum(d, own)
        surplus = (own - home).sum(0)
        unmet = d - home
        total_unmet = unmet.sum(0)
        shared = np.minimum(surplus, total_unmet)
        from_partners = (
            np.divide(unmet, total_unmet, out=np.zeros_like(unmet), where=total_unmet > 0) * shared
        )
        imports = np.maximum(unmet - from_partners, 0.0)
        self.dependency_by_country = np.divide(imports, d, out=np.zeros_like(d), where=d > 0)
        self.imports_t = imports.sum(0)
        self.dependency_na = np.divide(
            self.imports_t, total_d, out=np.zeros_like(total_d), where=total_d > 0
        )
        self._build_processing(q, total_q, total_k)

    def _build_processing(self, q: np.ndarray, total_q: np.ndarray, total_k: np.ndarray) -> None:
        """Start processing plants for ore mined in the region but processed abroad."""
        model = self.model
        v = model.values
        step = model.steps
        done = [p for p in self.pending if p[0] <= step]
        self.pending = [p for p in self.pending if p[0] > step]
        for _, c, m, cap, _ in done:
            self.capacity_t[c, m] += cap
        pending_k = np.zeros_like(total_k)
        for _, _, m, cap, _ in self.pending:
            pending_k[m] += cap
        base = v["processing.base_margin_frac"]
        margin = base + v["trade.row_tariff"]
        if v["trade.rules_of_origin"] == "geological_origin":
            margin += v["trade.beneficiation_credit_frac"]
        gap = self.imports_t - pending_k
        unprocessed = np.minimum(total_q - total_k - pending_k, gap)
        start_t = np.maximum(unprocessed, 0.0) * v["processing.expansion_frac_per_year"] / 12.0
        start_t *= margin / max(base, 1e-9)
        ore_excess = np.maximum(q - self.capacity_t, 0.0)
        where = np.divide(
            ore_excess, ore_excess.sum(0), out=np.zeros_like(q), where=ore_excess.sum(0) > 0
        )
        capex_per_t = self.base_price * v["processing.capex_usd_per_usd_capacity"]
        self.processing_capex_usd = np.zeros(len(COUNTRIES))
        for c, gov in enumerate(model.governments):
            build = v["processing.build_months"] + 0.5 * gov.lever("permit_review_months")
            for m in np.flatnonzero(where[c] * start_t > 1e-9):
                cap = float(where[c, m] * start_t[m])
                monthly = cap * capex_per_t[m] / build
                self.pending.append((step + round(build), c, int(m), cap, monthly))
        for _, c, _, _, monthly in self.pending:
            self.processing_capex_usd[c] += monthly
