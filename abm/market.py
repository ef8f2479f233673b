"""The market: prices, regional processing, trade and import dependency.

Agents decide (firms produce and invest, the rest of the world restricts exports); the
market takes what they supplied as arguments, clears North American demand and returns the
result. Its contract:

* :meth:`Market.update_prices` (start of a month), given the rest of the world's
  :class:`~abm.agents.rest_of_world.RowOffer` and last month's regional output: world
  price = exogenous mean-reverting lognormal path around the 2024 price x the restriction
  multiple x the inverse-demand feedback of regional output (North American output above
  its 2024 share of world supply lowers the world price, ``market.demand_elasticity``);
  landed cost of the marginal import = world price + tariff, ocean freight and carrying
  cost in transit (while North America imports); North American delivered price = landed
  cost x last month's scarcity multiple; the price regional producers receive = a blend of
  the regional and export netbacks, never below the floor a joint strategic reserve
  guarantees; the price firms expect. Returns :class:`PriceState`.
* :meth:`Market.clear` (end of a month), given mine output and the offer: demand wanted at
  the landed cost (:mod:`abm.demand`: outlook x short-run price response); regional supply
  = min(mine output, processing capacity) + secondary supply; each country's supply serves
  it first, partners' surplus is shared by unmet demand, and the rest is imported up to
  what the rest of the world offers (plus raw feed that idle regional processing capacity
  can toll-process); if that falls short, the delivered price rises until demand fits the
  supply, by at most ``market.max_scarcity_multiple`` over the landed cost, and what is
  still wanted is unmet (rationed). Processing plants are started where they pay
  (:meth:`Market._build_processing`). Returns :class:`Clearing`.

The market owns its state (the price path, processing capacity and plants under
construction); :func:`price_state` is a pure function, so the calibration reference's
expected prices are the same function called with the reference policy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from abm.agents.rest_of_world import RowOffer, price_multiple
from abm.byproducts import REFINERY_BYPRODUCTS, world_recovery_t_per_t
from abm.demand import DemandPath, price_response
from abm.midstream import (
    FeedFlows,
    RefinedFlows,
    allocate_feed,
    mined_dependency,
    recover_byproducts,
    share_refined,
)
from abm.params.data import MineralData
from abm.params.plants import (
    Plant,
    load_plants,
    load_secondary,
    operating_capacity_t,
    operating_sourced_t,
    pipeline_rows,
)
from abm.params.schema import COUNTRIES, MINERALS, country_key, minerals_mask
from abm.price_paths import PricePath

# Firms' recent-price signal is an exponential moving average of the received price with a
# 12-month time constant (a year of realised prices; ASSUMPTION, range 6-24 months); its
# weight in the expected price is market.expectation_recent_weight_frac.
PRICE_AVERAGE_MONTHS = 12
# Numerical tolerances (not behaviour): below these a quantity counts as zero.
IMPORTING_TOL_FRAC = 1e-6  # import dependency below which North America does not import
PLANT_TOL_T = 1e-9  # processing capacity below which no plant is started
MARGIN_TOL_FRAC = 1e-9  # guards the margin ratio against a zero base margin
ELASTICITY_TOL = 1e-9  # below this the short-run demand elasticity counts as zero
MIN_SUPPLY_RATIO = 1e-6  # floor of the feedback's world-supply ratio (keeps the power finite)


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


def recovery_bounds(
    plants: tuple[Plant, ...], minerals: MineralData
) -> tuple[np.ndarray, np.ndarray]:
    """(C, M) host mineral index and recovery rate (t per t of host feed) of the refinery
    by-products' plants: the host a country's plants name (-1: alumina, outside the model, or
    none) and the plant's sourced rate, else the world average (world by-product output per
    t of world host output, USGS MCS 2025 via params/minerals.toml: an upper bound where the
    by-product mostly comes from another host, as gallium from alumina)."""
    n_c, n_m = len(COUNTRIES), len(MINERALS)
    host = np.full((n_c, n_m), -1)
    rate = np.zeros((n_c, n_m))
    for p in plants:
        if p.mineral not in REFINERY_BYPRODUCTS or p.host_mineral not in MINERALS:
            continue
        c, b = p.cell
        h = MINERALS.index(p.host_mineral)
        hosts = np.full(n_m, -1)
        hosts[b] = h
        world = world_recovery_t_per_t(minerals, hosts)[b]
        host[c, b] = h
        rate[c, b] = max(rate[c, b], world if math.isnan(p.recovery_frac) else p.recovery_frac)
    return host, rate


@dataclass(frozen=True)
class PriceState:
    """Prices of one month, per mineral (USD/t of content)."""

    world: np.ndarray
    landed: np.ndarray  # landed cost of the marginal import (world price if not importing)
    na: np.ndarray  # North American delivered price (landed x scarcity multiple)
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
    scarcity: np.ndarray | float = 1.0,
) -> PriceState:
    """Delivered, received and expected prices given the world price (``ema``: last
    month's average received price; ``None`` restarts the average at today's price;
    ``scarcity``: last clearing's delivered-price multiple over the landed cost)."""
    v = values
    shipped = minerals.shipped_t_per_t
    freight = ocean_freight_usd_per_t(v, minerals)
    importing = dependency_na > IMPORTING_TOL_FRAC
    landed = np.where(importing, world + import_premium_usd_per_t(v, minerals, world), world)
    na = landed * scarcity
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
    return PriceState(world, landed, na, received, received - market_price, ema, expected)


@dataclass(frozen=True)
class Clearing:
    """Result of clearing one month, by country (C, M) and for North America (M,); flows of
    material are annualised rates, t of content per year."""

    demand_t: np.ndarray  # (C, M) wanted at the delivered price
    consumption_t: np.ndarray  # (C, M) got
    imports_by_country_t: np.ndarray  # (C, M) refined imports from outside USMCA
    processing_capacity_t: np.ndarray  # (C, M) plants in operation at the month's end
    scarcity_multiple: np.ndarray  # (M,) delivered price over the landed cost (1: none)
    processing_capex_usd: np.ndarray  # (C,) spent this month on plants under construction
    feed: FeedFlows  # ore/concentrate stage (abm/midstream.py)
    refined: RefinedFlows  # refined stage
    secondary_supply_t: np.ndarray  # (C, M) recycled supply
    throughput_t: np.ndarray  # (C, M) what the plants in operation could treat this month

    @cached_property
    def unmet_demand_t(self) -> np.ndarray:
        """(C, M) wanted at the delivered price but not supplied (rationed)."""
        gap = self.demand_t - self.consumption_t
        return np.where(gap > IMPORTING_TOL_FRAC * self.demand_t, gap, 0.0)  # rounding is 0

    @cached_property
    def imports_t(self) -> np.ndarray:
        """(M,) North American imports from outside USMCA."""
        return self.imports_by_country_t.sum(0)

    @cached_property
    def dependency_by_country(self) -> np.ndarray:
        """(C, M) share of consumption supplied from outside USMCA."""
        c = self.consumption_t
        return np.divide(self.imports_by_country_t, c, out=np.zeros_like(c), where=c > 0)

    @cached_property
    def dependency_na(self) -> np.ndarray:
        """(M,) North American import dependency (refined stage)."""
        c = self.consumption_t.sum(0)
        return np.divide(self.imports_t, c, out=np.zeros_like(c), where=c > 0)

    @cached_property
    def dependency_mined_by_country(self) -> np.ndarray:
        """(C, M) net import reliance at the ore stage (:func:`abm.midstream.mined_dependency`)."""
        return mined_dependency(self.consumption_t, self.feed.mine_t, self.secondary_supply_t)

    @cached_property
    def dependency_mined_na(self) -> np.ndarray:
        """(M,) North American net import reliance at the ore stage."""
        c, q = self.consumption_t.sum(0), self.feed.mine_t.sum(0)
        return mined_dependency(c, q, self.secondary_supply_t.sum(0))


# ASSUMPTION (range 1-12): a plant's stated start year means operation from its sixth month
# (as known mines, abm.known_assets.KNOWN_START_MONTH).
PLANT_START_MONTH = 6


@dataclass(frozen=True)
class _Announced:
    """An announced plant waiting for its investment decision."""

    plant: Plant
    c: int
    m: int
    to_start_months: float  # months from the model's start to its stated first output


class _Pipeline:
    """Processing plants under construction, aggregated by completion month: capacity
    (C, M) and capex (C, per month) that end at each step. O(C x M) a month, however many
    plants are being built."""

    def __init__(self, n_c: int, n_m: int) -> None:
        self.capacity_due: dict[int, np.ndarray] = {}
        self.capex_ends: dict[int, np.ndarray] = {}
        self.pending_t = np.zeros((n_c, n_m))
        self.capex_usd_per_month = np.zeros(n_c)

    def complete(self, step: int) -> np.ndarray:
        """Capacity (C, M) of the plants ready at ``step``; their capex stops."""
        due = np.zeros_like(self.pending_t)
        for s in [s for s in self.capacity_due if s <= step]:
            due += self.capacity_due.pop(s)
            self.capex_usd_per_month -= self.capex_ends.pop(s)
        self.pending_t = np.maximum(self.pending_t - due, 0.0)
        self.capex_usd_per_month = np.maximum(self.capex_usd_per_month, 0.0)
        return due

    def start(self, ready_step: np.ndarray, start_t: np.ndarray, capex_usd_per_month: np.ndarray):
        """Start plants of ``start_t`` (C, M) in each country, ready at ``ready_step`` (C,),
        paying ``capex_usd_per_month`` (C,) until then."""
        for c in np.flatnonzero(start_t.sum(1) > 0):
            r = int(ready_step[c])
            self.capacity_due.setdefault(r, np.zeros_like(self.pending_t))[c] += start_t[c]
            self.capex_ends.setdefault(r, np.zeros_like(self.capex_usd_per_month))[c] += (
                capex_usd_per_month[c]
            )
        self.pending_t = self.pending_t + start_t
        self.capex_usd_per_month = self.capex_usd_per_month + capex_usd_per_month


class Market:
    """Clears mineral markets each month; holds the price path, demand and processing."""

    def __init__(
        self,
        values: dict,
        reference: dict,
        minerals: MineralData,
        production0_t: np.ndarray,
        rng: np.random.Generator,
        start: tuple[int, int],
        n_steps: int,
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
        # Observed prices already hold whatever regional output did to them: no feedback.
        self.endogenous_world = values["market.price_path"] == "stochastic"
        self.demand_path = DemandPath.from_values(values, *start, n_steps)
        # Mexican and Canadian consumption are crude estimates: their declared multiples
        scale = [
            1.0,
            values["market.mx_consumption_multiple"],
            values["market.ca_consumption_multiple"],
        ]
        self.consumption0_t = minerals.consumption_t * np.array(scale)[:, None]
        self.base_demand_t = self.consumption0_t.copy()  # wanted at the reference price
        self.production0_na_t = production0_t.sum(axis=0)
        self.output_avg_na_t = self.production0_na_t.copy()  # 12-month average NA output
        # The midstream (params/processing_plants.csv): operating plants are the starting
        # capacity; plants under construction or announced enter the pipeline.
        plants = load_plants()
        self.capacity_t = operating_capacity_t(plants).copy()  # (C, M) nameplate, t/yr
        # what the plants can treat: a plant's sourced 2024 output where the table gives one,
        # else its nameplate x processing.utilisation_frac (read each month: throughput_t)
        self.sourced_capacity_t, self.sourced_output_t = operating_sourced_t(plants)
        self.sourced_output_t = self.sourced_output_t.copy()
        self.secondary0_t = load_secondary()  # (C, M) t/yr recycled, 2024
        self.secondary_t = self.secondary0_t.copy()
        self.plants = _Pipeline(*self.capacity_t.shape)
        self.start_ym = start
        self.byproduct = np.isin(MINERALS, REFINERY_BYPRODUCTS)
        self.host_cm, self.recovery_cm = recovery_bounds(plants, minerals)
        self.announced: list[_Announced] = []
        self._enter_plant_pipeline(values, pipeline_rows(plants))
        self.clearing = self._clear_start(values, production0_t)
        # The delivered price at which 2024 consumption was wanted: the landed cost of
        # 2024 imports at the 2024 price under the calibration reference's trade policy.
        importing0 = self.clearing.dependency_na > IMPORTING_TOL_FRAC
        premium0 = import_premium_usd_per_t(reference, minerals, self.base_price)
        self.reference_na_price = self.base_price + premium0 * importing0
        ref_review = np.array(
            [reference[country_key(c, "permit_review_months")] for c in COUNTRIES]
        )
        self.reference_build_months = (
            reference["processing.build_months"]
            + reference["processing.permit_review_frac"] * ref_review
        )
        self.prices: PriceState | None = None
        # Plants are valued against the price regional producers receive at the start
        # under the calibration reference's policy (no restriction, its tariffs).
        ref_multiple = price_multiple(reference, minerals, reference)  # 1: prices of 2024
        self.reference_received = self.prices_under(reference, ref_multiple, production0_t).received

    # --- prices ------------------------------------------------------------------------
    def update_prices(
        self, values: dict, step: int, offer: RowOffer, production_t: np.ndarray
    ) -> PriceState:
        """Advance the world price path and demand one month (before agents decide)."""
        v = values
        data = self.minerals
        self.log_dev = self.price_path.advance(v, step, data.volatility_frac_per_year)
        self.base_demand_t = self.consumption0_t * self.demand_path.na_at(step)[None, :]
        multiple = offer.price_multiple
        if self.endogenous_world:
            multiple = multiple * self.supply_feedback(v, step, production_t)
        self.prices = self.prices_under(v, multiple, production_t, self.prices.ema)
        return self.prices

    def supply_feedback(self, values: dict, step: int, production_t: np.ndarray) -> np.ndarray:
        """World-price multiple from North American output away from its 2024 share of
        world supply (inverse world demand, ``market.demand_elasticity``): matters where
        the region is a large producer (silver, fluorspar, molybdenum). Output enters as its
        12-month average: the world market prices sustained supply, not a mine's month."""
        self.output_avg_na_t += (production_t.sum(axis=0) - self.output_avg_na_t) / (
            PRICE_AVERAGE_MONTHS
        )
        grown = self.demand_path.world_at(step)
        world_t = self.minerals.world_production_t * grown
        extra_t = self.output_avg_na_t - self.production0_na_t * grown
        ratio = np.maximum(
            1.0 + np.divide(extra_t, world_t, out=np.zeros_like(world_t), where=world_t > 0),
            MIN_SUPPLY_RATIO,
        )
        cap = values["market.max_price_multiple"]
        return np.clip(ratio ** (-1.0 / values["market.demand_elasticity"]), 1.0 / cap, cap)

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
            values,
            self.minerals,
            self.base_price,
            world,
            multiple,
            self.dependency_na,
            phi,
            ema,
            self.clearing.scarcity_multiple,
        )

    def regional_use_share(self, production_t: np.ndarray) -> np.ndarray:
        """Share of regional mine output used in North America (the rest is exported)."""
        q = production_t.sum(axis=0)
        used = np.minimum(np.minimum(q, self.capacity_t.sum(axis=0)), self.base_demand_t.sum(0))
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

    @property
    def demand_t(self) -> np.ndarray:
        """(C, M) demand wanted at last clearing's delivered price."""
        return self.clearing.demand_t

    @property
    def imports_t(self) -> np.ndarray:
        return self.clearing.imports_t

    @property
    def dependency_na(self) -> np.ndarray:
        """(M,) import dependency of the last clearing (prices read it: landed cost or not)."""
        return self.clearing.dependency_na

    # --- clearing ----------------------------------------------------------------------
    def last_clearing(self) -> Clearing:
        """The latest clearing (at the start: the calibrated 2024 trade)."""
        return self.clearing

    def clear(
        self,
        production_t: np.ndarray,
        values: dict,
        step: int,
        review_months: np.ndarray,
        offer: RowOffer,
        rates_frac: tuple[np.ndarray, np.ndarray],
        integrated_t: np.ndarray | None = None,
    ) -> Clearing:
        """Clear this month's mine output ``production_t`` (C, M, t/yr) against demand and
        the rest of the world's ``offer``; ``review_months`` (C,) is each country's permit
        review (plants need a share of it), ``rates_frac`` the countries' discount rates
        (C,) now and under the calibration reference; ``integrated_t`` (C, M) the plant
        capacity of known integrated mines commissioned during the run (their on-site
        plants: Thacker Pass's carbonate plant)."""
        v = values
        e = v["market.na_demand_price_elasticity"]
        wanted = (
            self.base_demand_t
            * price_response(self.prices.landed, self.reference_na_price, e)[None, :]
        )
        growth = 1.0 + v["market.secondary_growth_frac_per_year"]
        self.secondary_t = self.secondary0_t * growth ** (step / 12.0)
        extra = 0.0 if integrated_t is None else integrated_t
        u = v["processing.utilisation_frac"]
        ramp = v["processing.ramp_frac_per_year"] / 12.0
        if ramp > 0:  # plants below nameplate x utilisation close part of the gap
            gap = np.maximum(self.sourced_capacity_t * u - self.sourced_output_t, 0.0)
            self.sourced_output_t += gap * ramp
        throughput = self.throughput_t(u) + extra * u
        feed, own = self._route(production_t, throughput, offer.supply_frac)
        # Scarcity from the totals: North America uses min(own, wanted) of its own supply
        # and imports the rest up to what the rest of the world offers.
        own_t, wanted_t = own.sum(0), wanted.sum(0)
        need_t = np.maximum(wanted_t - own_t, 0.0)  # import need at the landed cost
        available_t = offer.supply_frac * need_t
        scarcity = self._scarcity_multiple(v, wanted_t, need_t, available_t)
        demand = wanted * scarcity[None, :] ** (-e)
        refined = share_refined(demand, own, available_t)
        capex = self._build_processing(
            v, step, review_months, rates_frac, feed, refined.imports_t.sum(0), scarcity
        )
        self.clearing = Clearing(
            demand,
            refined.consumption_t,
            refined.imports_t,
            self.capacity_t + extra,
            scarcity,
            capex,
            feed,
            refined,
            self.secondary_t,
            throughput,
        )
        return self.clearing

    def throughput_t(self, utilisation_frac: float) -> np.ndarray:
        """(C, M) t/yr the plants in operation can treat: sourced output of the plants the
        table gives one for (ramping at processing.ramp_frac_per_year), the rest of the
        nameplate at ``utilisation_frac``."""
        rest = np.maximum(self.capacity_t - self.sourced_capacity_t, 0.0)
        return self.sourced_output_t + rest * utilisation_frac

    def _route(
        self, production_t: np.ndarray, throughput_t: np.ndarray, import_supply_frac: np.ndarray
    ) -> tuple[FeedFlows, np.ndarray]:
        """The ore stage of a month (:func:`abm.midstream.allocate_feed`, by-products recovered
        from their hosts' feed) and the refined supply it gives with recycling, (C, M) t/yr."""
        feed = allocate_feed(production_t, throughput_t, import_supply_frac)
        feed = recover_byproducts(
            feed, throughput_t, self.host_cm, self.recovery_cm, self.byproduct
        )
        return feed, feed.processing_feed_t + self.secondary_t  # USMCA refined supply

    def _clear_start(self, values: dict, production0_t: np.ndarray) -> Clearing:
        """The calibrated 2024 trade: 2024 output through the operating plants against 2024
        consumption at the reference price, the rest of the world offering all that is
        needed (the same two midstream steps as every month)."""
        n_c, n_m = self.capacity_t.shape
        throughput = self.throughput_t(values["processing.utilisation_frac"])
        feed, own = self._route(production0_t, throughput, np.ones(n_m))
        need_t = np.maximum(self.consumption0_t.sum(0) - own.sum(0), 0.0)
        refined = share_refined(self.consumption0_t, own, need_t)
        return Clearing(
            self.consumption0_t,
            refined.consumption_t,
            refined.imports_t,
            self.capacity_t.copy(),
            np.ones(n_m),
            np.zeros(n_c),
            feed,
            refined,
            self.secondary_t,
            throughput,
        )

    def _enter_plant_pipeline(self, values: dict, rows: tuple[Plant, ...]) -> None:
        """Plants under construction are built to their stated start (mid-year, or the
        reference build time where none is stated), their capex paid until then; announced
        plants wait for the investment decision (:meth:`_start_announced`)."""
        y0, m0 = self.start_ym
        capex_per_t = self.base_price * values["processing.capex_usd_per_usd_capacity"]
        for p in rows:
            c, m = p.cell
            to_start = (
                values["processing.build_months"]
                if math.isnan(p.start_year)
                else (p.start_year - y0) * 12 + (PLANT_START_MONTH - m0) + 1
            )
            if p.stage == "construction":
                self._start_plant(0, c, m, p.capacity_t_per_year, capex_per_t, to_start)
            else:
                self.announced.append(_Announced(p, c, m, to_start))

    def _start_announced(
        self,
        v: dict,
        step: int,
        build_months: np.ndarray,
        value_index: np.ndarray,
        capex_per_t: np.ndarray,
    ) -> None:
        """Announced plants whose build must begin by now start unless their value has fallen
        below ``processing.announced_go_value_frac`` of its value under the calibration
        reference (``value_index``: margin, policy, rates and permit time,
        :meth:`_plant_value_index`): their sponsors decided under today's conditions. One
        still below it ``processing.announced_patience_years`` after its due start is
        dropped. A by-product recovery circuit at an existing refinery (Clarksville germanium
        and gallium) takes ``supply.recovery_build_months``, a new plant the country's build
        and permit time."""
        patience = 12.0 * v["processing.announced_patience_years"]
        waiting = []
        for a in self.announced:
            months = v["supply.recovery_build_months"] if self.byproduct[a.m] else build_months[a.c]
            due = a.to_start_months - months  # when the build must begin
            if step < due:
                waiting.append(a)
            elif value_index[a.c, a.m] >= v["processing.announced_go_value_frac"]:
                self._start_plant(step, a.c, a.m, a.plant.capacity_t_per_year, capex_per_t, months)
            elif step <= due + patience:
                waiting.append(a)
        self.announced = waiting

    def _start_plant(
        self, step: int, c: int, m: int, t: float, capex_per_t: np.ndarray, months: float
    ) -> None:
        """One plant of ``t`` t/yr enters the pipeline, ready in ``months``, its capex paid
        evenly until then."""
        n_c, n_m = self.capacity_t.shape
        months = max(round(months), 1)
        start_t = np.zeros((n_c, n_m))
        start_t[c, m] = t
        capex = np.zeros(n_c)
        capex[c] = t * capex_per_t[m] / months
        self.plants.start(np.full(n_c, step + months), start_t, capex)

    @staticmethod
    def _scarcity_multiple(v, wanted_t, need_t, available_t) -> np.ndarray:
        """Delivered-price multiple over the landed cost at which demand fits the supply
        (constant short-run elasticity), at most ``market.max_scarcity_multiple``."""
        short = available_t < need_t * (1.0 - IMPORTING_TOL_FRAC)
        if not short.any():
            return np.ones_like(need_t)
        cap = v["market.max_scarcity_multiple"]
        e = v["market.na_demand_price_elasticity"]
        supply_t = wanted_t - need_t + available_t
        if e < ELASTICITY_TOL:
            return np.where(short, cap, 1.0)
        ratio = np.divide(supply_t, wanted_t, out=np.ones_like(wanted_t), where=wanted_t > 0)
        clearing = np.maximum(ratio, 1.0 / cap**e) ** (-1.0 / e)
        return np.where(short, np.clip(clearing, 1.0, cap), 1.0)

    def _build_processing(
        self,
        v: dict,
        step: int,
        review_months: np.ndarray,
        rates_frac: tuple[np.ndarray, np.ndarray],
        feed: FeedFlows,
        imports_na_t: np.ndarray,
        scarcity: np.ndarray,
    ) -> np.ndarray:
        """Complete due plants, start announced ones and new ones where they pay; returns
        the month's processing capex by country.

        Announced plants first (:meth:`_start_announced`). New plants, for capacity nobody
        has announced: feed, by country and mineral, is ore mined there and exported as
        concentrate (no North American plant treats it), net of plants under construction
        (at most what North America imports). Pace: ``processing.expansion_frac_per_year``
        of the feed a year at the calibration reference's value, times the plant's value
        relative to it (:meth:`_plant_value_index`): the margin (base x the price level +
        tariff protection + beneficiation credit under geological origin + the scarcity
        premium) over the base margin, times the present value of a
        ``processing.plant_life_years`` plant at the country's rate now, discounted over its
        build and permit time, over that at the reference's rate and times.
        """
        self.capacity_t = self.capacity_t + self.plants.complete(step)
        n_m = self.capacity_t.shape[1]
        build = v["processing.build_months"] + v["processing.permit_review_frac"] * review_months
        value = self._plant_value_index(v, build, scarcity, *rates_frac)
        capex_per_t = self.base_price * v["processing.capex_usd_per_usd_capacity"]
        self._start_announced(v, step, build, value, capex_per_t)
        pending = self.plants.pending_t
        ore = np.maximum(feed.concentrate_exports_t - pending, 0.0)
        gap = np.maximum(imports_na_t - pending.sum(0), 0.0)
        ore_total = ore.sum(0)
        scale = np.divide(
            np.minimum(ore_total, gap), ore_total, out=np.zeros(n_m), where=ore_total > 0
        )
        start_t = ore * scale[None, :] * v["processing.expansion_frac_per_year"] / 12.0
        start_t *= value
        start_t = np.where(start_t > PLANT_TOL_T, start_t, 0.0)
        months = np.maximum(np.rint(build).astype(int), 1)  # round half to even, as round()
        capex_usd = (start_t * capex_per_t[None, :]).sum(1)
        self.plants.start(step + months, start_t, capex_usd / months)  # paid over the build
        return self.plants.capex_usd_per_month.copy()

    def _plant_value_index(
        self,
        v: dict,
        build_months: np.ndarray,
        scarcity: np.ndarray,
        rate_frac: np.ndarray,
        reference_frac: np.ndarray,
    ) -> np.ndarray:
        """(C, M) value of a processing plant now relative to the calibration reference's
        (base margin at the reference price, its rates and its build and permit times)."""
        base = max(v["processing.base_margin_frac"], MARGIN_TOL_FRAC)
        ref = self.reference_received
        # The base margin is a share of product value (capex is fixed at 2024 prices); the
        # tariff, the credit and the scarcity premium are shares of the reference value.
        price = np.divide(self.prices.ema, ref, out=np.ones_like(ref), where=ref > 0)
        landed = np.divide(
            self.prices.landed,
            self.reference_na_price,
            out=np.ones_like(ref),
            where=self.reference_na_price > 0,
        )
        margin = base * price + v["trade.row_tariff"] + (scarcity - 1.0) * landed
        if v["trade.rules_of_origin"] == "geological_origin":
            margin = margin + v["trade.beneficiation_credit_frac"]
        life = v["processing.plant_life_years"]

        def pv(rate: np.ndarray, months: np.ndarray) -> np.ndarray:
            r = np.maximum(rate, MARGIN_TOL_FRAC)
            return (1.0 - (1.0 + r) ** -life) / r * (1.0 + r) ** (-months / 12.0)

        ratio = pv(rate_frac, build_months) / pv(reference_frac, self.reference_build_months)
        return (margin / base)[None, :] * ratio[:, None]
