"""The midstream: where mine output is processed, and how refined supply is shared.

Two pure steps the market calls each month (:meth:`abm.market.Market.clear`), all flows
annualised t of content a year, by country (C, M):

1. :func:`allocate_feed` (ore/concentrate stage). Mine output goes to plants at home first,
   then to partners' spare capacity (pooled over USMCA, shared in proportion to spare
   capacity, taken in proportion to unplaced ore: US zinc concentrate to Trail is a partner
   flow), and what is left is exported as concentrate (Mexican copper concentrate to Asia).
   Plants with capacity still spare treat imported concentrate, as far as the rest of the world
   offers it (a custom smelter, an anode plant on imported flake). ASSUMPTION: a plant fills its
   capacity (times ``processing.utilisation_frac``) whenever feed is offered; treatment and
   freight costs enter the plant's value (:meth:`abm.market.Market._plant_value_index`), not the
   monthly routing.
2. :func:`share_refined` (refined stage). Each country's refined output plus its secondary
   (recycled) supply serves its own demand first; partners' surplus is shared by unmet demand;
   imports from outside USMCA fill what is still short, up to what the rest of the world
   offers; the remaining surplus is exported.

By construction, per country: ore stage ``mine + concentrate imports + partner in - partner
out - concentrate exports + by-products recovered from a host's feed = processing feed``;
refined stage ``processing feed + secondary + imports + partner in - partner out - exports =
consumption`` (no stocks are held; tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _share(part: np.ndarray, total: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """``amount`` (M,) split over countries in proportion to ``part`` (C, M) of ``total``."""
    return np.divide(part, total, out=np.zeros_like(part), where=total > 0) * amount


@dataclass(frozen=True)
class FeedFlows:
    """Ore/concentrate stage of one month, (C, M) t/yr."""

    mine_t: np.ndarray
    partner_in_t: np.ndarray  # concentrate from USMCA partners treated here
    partner_out_t: np.ndarray  # concentrate sent to partners' plants
    concentrate_imports_t: np.ndarray  # from outside USMCA
    concentrate_exports_t: np.ndarray  # to outside USMCA
    processing_feed_t: np.ndarray  # treated in this country's plants (= refined output)
    recovered_t: np.ndarray  # by-products recovered from a host's feed (0 but gallium, germanium)


def recover_byproducts(
    feed: FeedFlows,
    throughput_t: np.ndarray,
    host: np.ndarray,
    rate_t_per_t: np.ndarray,
    byproduct: np.ndarray,
) -> FeedFlows:
    """By-products recovered at a host's plants (germanium in Trail's zinc feed): for the
    ``byproduct`` minerals (M,) the plants' output is their throughput, at most
    ``rate_t_per_t`` (C, M) x the host's processing feed this month; ``host`` (C, M) is the
    host's mineral index (-1: a host outside the model, alumina, whose feed is held: the
    throughput alone binds). They take no concentrate: what they refine is in the host's feed."""
    if not byproduct.any():
        return feed
    cols = np.flatnonzero(byproduct)
    h = host[:, cols]
    host_feed = np.take_along_axis(feed.processing_feed_t, np.maximum(h, 0), axis=1)
    bound = np.where(h >= 0, rate_t_per_t[:, cols] * host_feed, np.inf)
    recovered = np.zeros_like(feed.processing_feed_t)
    recovered[:, cols] = np.minimum(throughput_t[:, cols], bound)
    keep = ~byproduct[None, :]
    return FeedFlows(
        feed.mine_t,
        feed.partner_in_t * keep,
        feed.partner_out_t * keep,
        feed.concentrate_imports_t * keep,
        feed.concentrate_exports_t * keep + feed.mine_t * ~keep,  # (none mined today)
        feed.processing_feed_t * keep + recovered,
        recovered,
    )


def allocate_feed(
    mine_t: np.ndarray, throughput_t: np.ndarray, import_supply_frac: np.ndarray
) -> FeedFlows:
    """Route mine output ``mine_t`` to plants of ``throughput_t`` (capacity x utilisation);
    spare capacity takes imported concentrate up to ``import_supply_frac`` (M,) of it."""
    home = np.minimum(mine_t, throughput_t)
    ore_left, spare = mine_t - home, throughput_t - home
    pool, room = ore_left.sum(0), spare.sum(0)
    moved = np.minimum(pool, room)
    partner_in = _share(spare, room, moved)
    partner_out = _share(ore_left, pool, moved)
    exports = np.maximum(ore_left - partner_out, 0.0)
    imports = np.maximum(spare - partner_in, 0.0) * import_supply_frac[None, :]
    feed = home + partner_in + imports
    return FeedFlows(mine_t, partner_in, partner_out, imports, exports, feed, np.zeros_like(feed))


@dataclass(frozen=True)
class RefinedFlows:
    """Refined stage of one month, (C, M) t/yr."""

    own_t: np.ndarray  # refined output + secondary supply
    home_t: np.ndarray  # own supply used at home
    partner_in_t: np.ndarray  # from USMCA partners' surplus
    partner_out_t: np.ndarray  # to USMCA partners
    imports_t: np.ndarray  # from outside USMCA
    exports_t: np.ndarray  # surplus sent outside USMCA

    @property
    def consumption_t(self) -> np.ndarray:
        return self.home_t + self.partner_in_t + self.imports_t


def share_refined(demand_t: np.ndarray, own_t: np.ndarray, available_t: np.ndarray) -> RefinedFlows:
    """Serve ``demand_t`` (C, M) from ``own_t`` (C, M), partners' surplus, then imports of at
    most ``available_t`` (M,) from outside USMCA."""
    home = np.minimum(demand_t, own_t)
    surplus = own_t - home
    unmet = demand_t - home
    total_surplus, total_unmet = surplus.sum(0), unmet.sum(0)
    shared = np.minimum(total_surplus, total_unmet)
    partner_in = _share(unmet, total_unmet, shared)
    partner_out = _share(surplus, total_surplus, shared)
    short = np.maximum(demand_t - home - partner_in, 0.0)
    total_short = short.sum(0)
    imports = _share(short, total_short, np.minimum(total_short, available_t))
    exports = np.maximum(surplus - partner_out, 0.0)
    return RefinedFlows(own_t, home, partner_in, partner_out, imports, exports)


def mined_dependency(
    consumption_t: np.ndarray, mine_t: np.ndarray, secondary_t: np.ndarray
) -> np.ndarray:
    """Net import reliance at the ore stage (USGS's NIR formula with mine output in place of
    refined production): ``max(0, consumption - mine output - secondary) / consumption``,
    over the last axis's minerals; 0 where nothing is consumed."""
    gap = np.maximum(consumption_t - mine_t - secondary_t, 0.0)
    return np.divide(gap, consumption_t, out=np.zeros_like(gap), where=consumption_t > 0)
