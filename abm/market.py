"""The market: prices, regional processing, trade and import dependency.

Agents decide (firms produce and invest, the rest of the world restricts exports); the
market takes what they supplied as arguments, clears North American demand and returns the
result. Its contract:

* :meth:`Market.update_prices` (start of a month): world price = exogenous mean-reverting
  lognormal path around the 2024 price times the export-restriction multiple; North
  American delivered price = the landed cost of the marginal import (world price, tariff,
  ocean freight, carrying cost in transit) while North America imports; the price regional
  producers receive = a blend of the regional and export netbacks, never below the floor a
  joint strategic reserve guarantees; the price firms expect. Returns :class:`PriceState`.
* :meth:`Market.clear` (end of a month), given mine output: regional supply =
  min(mine output, processing capacity) + secondary supply; each country's supply serves it
  first, partners' surplus is shared by unmet demand, the rest is imported; processing
  plants are started for ore mined here but processed abroad. Returns :class:`Clearing`.

The market owns its state (the price path, processing capacity and plants under
construction); :func:`price_state` is a pure function, so the calibration reference's
expected prices are the same function called with the reference policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from abm.params.data import MineralData
from abm.params.schema import COUNTRIES, minerals_mask
from abm.price_paths import PricePath

# Firms' recent-price signal is an exponential moving average of the received price with a
# 12-month time constant (a year of realised prices; ASSUMPTION, range 6-24 months); its
# weight in the expected price is market.expectation_recent_weight_frac.
PRICE_AVERAGE_MONTHS = 12
# Numerical tolerances (not behaviour): below these a quantity counts as zero.
IMPORTING_TOL_FRAC = 1e-6  # import dependency below which North America does not import
PLANT_TOL_T = 1e-9  # processing capacity below which no plant is started
MARGIN_TOL_FRAC = 1e-9  # guards the margin ratio against a zero base margin


def ocean_freight_usd_per_t(values: dict, minerals: MineralData) -> np.ndarray:
    """Ocean freight between North America and the rest of the world per tonne of content:
    the freight rate times the tonnage shipped (ore or concentrate) per tonne of content."""
    return values["trade.row_freight_usd_per_t"] * minerals.shipped_t_per_t


def carry_frac(values: dict, transit_days_key: str) -> np.ndarray:
    """Carrying cost of inventory in transit as a share of its value (seed: 15-25% a year)."""
    return values["trade.inventory_carrying_cost_frac_per_year"] * values[transit_days_key] / 365


def import_premium_usd_per_t(values: dict, minerals: MineralData, world: np.ndarray):
    """Landed cost of an import above the world price, per t of content: tariff, carrying
    cost in transit and ocean freight."""
    carry = carry_frac(values, "trade.row_transit_days")
    return world * (values["trade.row_tariff"] + carry) + ocean_freight_usd_per_t(values, minerals)


def reserve_floor_usd_per_t(values: dict, base_price: np.ndarray) -> np.ndarray:
    """Price the strategic reserve guarantees regional producers, per mineral (0: none)."""
    listed = minerals_mask(values["trade.strategic_reserve_minerals"])
    return listed * values["trade.strategic_reserve_floor_frac"] * base_price


@dataclass(frozen=True)
class PriceState:
    """Prices of one month, per mineral (USD/t of content)."""

    world: np.ndarray
    na: np.ndarray  # North American delivered price
    received: np.ndarray  # what regional producers get, incl. the reserve floor
    floor_top_up: np.ndarray  # reserve top-up over the market price (paid by governments)
    ema: np.ndarray  # 12-month moving average of the received price
    expected: np.ndarray  # what firms expect (recent average and long-run anchor)


def price_state(
    values: dict[str, Any],
    minerals: MineralData,
    base_price: np.ndarray,
    world: np.ndarray,
    multiple: np.ndarray,
    dependency_na: np.ndarray,
    regional_use_share: np.ndarray,
    ema: np.ndarray | None,
) -> PriceState:
    """Delivered, received and expected prices given the world price (``ema``: last
    month's average received price; ``None`` restarts the average at today's price)."""
    v = values
    shipped = minerals.shipped_t_per_t
    freight = ocean_freight_usd_per_t(v, minerals)
    importing = dependency_na > IMPORTING_TOL_FRAC
    na = np.where(importing, world + import_premium_usd_per_t(v, minerals, world), world)
    capture = (
        1.0
        if v["trade.rules_of_origin"] == "geological_origin"
        else v["trade.status_quo_preference_capture_frac"]
    )
    tariff_part = world * v["trade.row_tariff"] * (1.0 - capture)
    regional_net = na - tariff_part * importing
    regional_net = regional_net - v["trade.regional_freight_usd_per_t"] * shipped
    regional_net = regional_net - na * carry_frac(v, "trade.regional_transit_days")
    export_net = world - freight
    phi = regional_use_share
    market_price = np.maximum(phi * regional_net + (1 - phi) * export_net, 0.0)
    floor = reserve_floor_usd_per_t(v, base_price)
    received = np.maximum(market_price, floor)
    ema = received.copy() if ema is None else ema + (received - ema) / PRICE_AVERAGE_MONTHS
    anchor_world = base_price * multiple
    anchor = phi * (
        anchor_world + import_premium_usd_per_t(v, minerals, anchor_world) * importing
    ) + (1 - phi) * (anchor_world - freight)
    w_recent = v["market.expectation_recent_weight_frac"]
    expected = np.maximum(w_recent * ema + (1 - w_recent) * anchor, floor)
    return PriceState(world, na, received, received - market_price, ema, expected)


@dataclass(frozen=True)
class Clearing:
    """Result of clearing one month: trade and dependency, processing investment."""

    dependency_by_country: np.ndarray  # (C, M)
    dependency_na: np.ndarray  # (M,)
    imports_t: np.ndarray  # (M,) t/yr from outside USMCA
    processing_capex_usd: np.ndarray  # (C,) spent this month on plants under construction


@dataclass
class _Plants:
    """Processing plants under construction (struct of arrays, in start order)."""

    ready_step: np.ndarray
    country: np.ndarray
    mineral: np.ndarray
    capacity_t: np.ndarray
    capex_usd_per_month: np.ndarray

    @classmethod
    def empty(cls) -> _Plants:
        i, f = np.zeros(0, dtype=int), np.zeros(0)
        return cls(i, i, i, f, f)

    def take(self, keep: np.ndarray) -> _Plants:
        return _Plants(*(getattr(self, k)[keep] for k in self.__dataclass_fields__))

    def append(self, other: _Plants) -> _Plants:
        return _Plants(
            *(
                np.concatenate([getattr(self, k), getattr(other, k)])
                for k in self.__dataclass_fields__
            )
        )


class Market:
    """Clears mineral markets each month; holds the price path and processing capacity."""

    def __init__(
        self,
        minerals: MineralData,
        production0_t: np.ndarray,
        rng: np.random.Generator,
        values: dict | None = None,
    ) -> None:
        # World prices are exogenous to North American policy: their shocks come from their
        # own stream (spawned from the model's generator), so two runs with the same seed
        # share the price path whatever their policies (common random numbers).
        self.rng = rng
        self.minerals = minerals
        self.base_price = minerals.price_usd_per_t.copy()
        # market.price_path (abm/price_paths.py): stochastic, the observed history or a CSV
        self.price_path = PricePath.from_values(values, minerals, rng)
        self.log_dev = self.price_path.log_dev
        self.consumption0_t = minerals.consumption_t.copy()
        self.demand_t = minerals.consumption_t.copy()
        total_q = production0_t.sum(axis=0)
        total_d = self.demand_t.sum(axis=0)
        regional = (1.0 - minerals.na_dependency_frac) * total_d
        k_total = np.minimum(total_q, regional)
        share = np.divide(
            production0_t, total_q, out=np.zeros_like(production0_t), where=total_q > 0
        )
        self.capacity_t = share * k_total  # (C, M) processing capacity, t/yr
        self.secondary_frac = np.maximum(regional - k_total, 0.0) / np.maximum(total_d, 1e-12)
        self.plants = _Plants.empty()
        self.dependency_na = minerals.na_dependency_frac.copy()
        self.dependency_by_country = np.tile(self.dependency_na, (len(COUNTRIES), 1))
        self.processing_capex_usd = np.zeros(len(COUNTRIES))
        self.imports_t = total_d * self.dependency_na
        self.prices: PriceState | None = None

    # --- prices ------------------------------------------------------------------------
    def update_prices(
        self, values: dict, step: int, multiple: np.ndarray, production_t: np.ndarray
    ) -> PriceState:
        """Advance the world price path and demand one month (before agents decide)."""
        v = values
        data = self.minerals
        self.log_dev = self.price_path.advance(v, step, data.volatility_frac_per_year)
        growth = data.demand_growth_frac_per_year + v["market.demand_growth_shift_frac_per_year"]
        self.demand_t = self.consumption0_t * np.exp(np.log1p(growth) * (step / 12.0))[None, :]
        self.prices = self.prices_under(v, multiple, production_t, self.prices.ema)
        return self.prices

    def refresh_expectations(
        self, values: dict, multiple: np.ndarray, production_t: np.ndarray
    ) -> PriceState:
        """Prices under the current levers without a time step (restarts the average)."""
        self.prices = self.prices_under(values, multiple, production_t)
        return self.prices

    def prices_under(
        self,
        values: dict,
        multiple: np.ndarray,
        production_t: np.ndarray,
        ema: np.ndarray | None = None,
    ) -> PriceState:
        """Prices on today's world price path under ``values`` (the live levers, or the
        calibration reference's), without changing the market's state."""
        world = self.base_price * np.exp(self.log_dev) * multiple
        phi = self.regional_use_share(production_t)
        return price_state(
            values, self.minerals, self.base_price, world, multiple, self.dependency_na, phi, ema
        )

    def regional_use_share(self, production_t: np.ndarray) -> np.ndarray:
        """Share of regional mine output used in North America (the rest is exported)."""
        q = production_t.sum(axis=0)
        used = np.minimum(np.minimum(q, self.capacity_t.sum(axis=0)), self.demand_t.sum(axis=0))
        return np.divide(used, q, out=np.ones_like(q), where=q > 0)

    # views of the current prices (outputs, tests and the UI read these)
    @property
    def world_price(self) -> np.ndarray:
        return self.prices.world

    @property
    def na_price(self) -> np.ndarray:
        return self.prices.na

    @property
    def received_price(self) -> np.ndarray:
        return self.prices.received

    @property
    def expected_price(self) -> np.ndarray:
        return self.prices.expected

    @property
    def floor_top_up_usd_per_t(self) -> np.ndarray:
        return self.prices.floor_top_up

    # --- clearing ----------------------------------------------------------------------
    def last_clearing(self) -> Clearing:
        """The latest clearing (at the start: the calibrated 2024 trade)."""
        return Clearing(
            self.dependency_by_country,
            self.dependency_na,
            self.imports_t,
            self.processing_capex_usd,
        )

    def clear(
        self, production_t: np.ndarray, values: dict, step: int, review_months: np.ndarray
    ) -> Clearing:
        """Clear this month's mine output ``production_t`` (C, M, t/yr) against demand;
        ``review_months`` (C,) is each country's permit review (plants need half of it)."""
        q = production_t
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
        self._build_processing(values, step, review_months, q, total_q, total_k)
        return self.last_clearing()

    def _build_processing(self, v, step, review_months, q, total_q, total_k) -> None:
        """Start processing plants for ore mined in the region but processed abroad."""
        plants = self.plants
        done = plants.ready_step <= step
        np.add.at(
            self.capacity_t, (plants.country[done], plants.mineral[done]), plants.capacity_t[done]
        )
        plants = plants.take(~done)
        n_m = len(total_k)
        pending_k = np.bincount(plants.mineral, weights=plants.capacity_t, minlength=n_m)
        base = v["processing.base_margin_frac"]
        margin = base + v["trade.row_tariff"]
        if v["trade.rules_of_origin"] == "geological_origin":
            margin += v["trade.beneficiation_credit_frac"]
        gap = self.imports_t - pending_k
        unprocessed = np.minimum(total_q - total_k - pending_k, gap)
        start_t = np.maximum(unprocessed, 0.0) * v["processing.expansion_frac_per_year"] / 12.0
        start_t *= margin / max(base, MARGIN_TOL_FRAC)
        ore_excess = np.maximum(q - self.capacity_t, 0.0)
        where = np.divide(
            ore_excess, ore_excess.sum(0), out=np.zeros_like(q), where=ore_excess.sum(0) > 0
        )
        capex_per_t = self.base_price * v["processing.capex_usd_per_usd_capacity"]
        build = v["processing.build_months"] + v["processing.permit_review_frac"] * review_months
        c, m = np.nonzero(where * start_t[None, :] > PLANT_TOL_T)
        cap = where[c, m] * start_t[m]
        new = _Plants(
            step + np.rint(build[c]).astype(int),  # round half to even, as round()
            c,
            m,
            cap,
            cap * capex_per_t[m] / build[c],
        )
        self.plants = plants.append(new)
        self.processing_capex_usd = np.bincount(
            self.plants.country, weights=self.plants.capex_usd_per_month, minlength=len(COUNTRIES)
        )
