"""By-products: gallium, germanium, bismuth and molybdenum recovered from a host's output.

USGS names each by-product's host (``byproduct_of`` in ``params/minerals.toml``: bismuth of
lead, molybdenum of copper, germanium of zinc, gallium of alumina and zinc; alumina is not a
model mineral, so gallium's host is zinc). A by-product is produced by **recovery circuits**:
project rows of the by-product mineral flagged ``host_scaled`` whose output is their capacity
times the host's output in their country now over the host's output at the start (a fixed
recovery rate per tonne of host). Known primary mines of a by-product (Climax and Henderson
molybdenum, NICO bismuth-cobalt) produce on their own.

There are no discoveries of pure by-product deposits: by-product minerals get no exploration
weight (:func:`abm.calibration.base_cell_weight`). New recovery capacity is an investment
(:func:`invest_in_recovery`): when the expected price, with a production credit for critical
minerals, reaches ``supply.recovery_trigger_price_multiple`` times the 2024 price, the owner of
a country's largest host mine builds a circuit (``supply.recovery_build_months``) that lifts
the country's recovery to the world-average rate (world by-product output per tonne of world
host output, USGS MCS 2025 in ``params/minerals.toml``), if it can pay the equity.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from abm.params.data import MineralData
from abm.params.schema import COUNTRIES, MINERALS
from abm.projects import STATE_OWNER, ProjectBook, Stage

# Recovered at the refinery, not at the mine: gallium from Bayer liquor at alumina refineries
# and from zinc refinery residues, germanium from zinc refinery residues (USGS MCS 2025,
# Gallium and Germanium: "produced as a byproduct of processing bauxite and zinc ores",
# "recovered ... from zinc concentrates/residues"). Their North American supply comes from the
# plants of params/processing_plants.csv that recover them (abm.midstream.recover_byproducts),
# bounded by the host's feed; no mine-side circuits are built for them here.
REFINERY_BYPRODUCTS: tuple[str, ...] = ("gallium", "germanium")
# ASSUMPTION (range 0.1-0.5): a country adds a circuit only for a gap of at least a fifth of
# its potential recovery (no stream of small circuits as host output drifts).
RECOVERY_MIN_GAP_FRAC = 0.2


def host_index(minerals: MineralData) -> np.ndarray:
    """(M,) index of each mineral's host among the model minerals (-1: a primary mineral).
    The first model mineral USGS names wins ("alumina/zinc" -> zinc)."""
    out = np.full(len(MINERALS), -1)
    for m, hosts in enumerate(minerals.byproduct_of):
        named = [h.strip() for h in hosts.split("/") if h.strip() in MINERALS]
        if named:
            out[m] = MINERALS.index(named[0])
    return out


def world_recovery_t_per_t(minerals: MineralData, host: np.ndarray) -> np.ndarray:
    """(M,) world by-product output per tonne of world host output (0 for primaries)."""
    out = np.zeros(len(MINERALS))
    b = host >= 0
    out[b] = minerals.world_production_t[b] / minerals.world_production_t[host[b]]
    return out


def host_factor(
    book: ProjectBook, prod: np.ndarray, c: np.ndarray, m: np.ndarray, host_out_t: np.ndarray
) -> np.ndarray:
    """Output multiple of producing rows ``prod``: 1 for primary rows; for recovery circuits
    the host's output in their country now over its output at the start."""
    factor = np.ones(len(prod))
    scaled = book.host_scaled[prod]
    if scaled.any():
        h = book.host_of[m[scaled]]
        ref = book.host_reference_t[c[scaled], h]
        factor[scaled] = np.divide(
            host_out_t[c[scaled], h], ref, out=np.zeros(len(ref)), where=ref > 0
        )
    return factor


def invest_in_recovery(
    values: dict[str, Any],
    book: ProjectBook,
    cash_usd: np.ndarray,
    minerals: MineralData,
    expected_usd_per_t: np.ndarray,
    production_credit_frac: np.ndarray,
    host_out_t: np.ndarray,
) -> np.ndarray:
    """Start recovery circuits where the price (with the production credit) has risen enough;
    returns the rows added. ``host_out_t`` (C, M) is this month's output, t/yr."""
    v = values
    host = book.host_of
    rate = book.world_recovery_t_per_t
    price = minerals.price_usd_per_t
    trigger = v["supply.recovery_trigger_price_multiple"]
    added = []
    for b in np.flatnonzero(host >= 0):
        if MINERALS[b] in REFINERY_BYPRODUCTS:
            continue
        h = host[b]
        credit = production_credit_frac * minerals.critical[b]
        for c in range(len(COUNTRIES)):
            if expected_usd_per_t[b] * (1.0 + credit[c]) < trigger * price[b]:
                continue
            ref = book.host_reference_t[c, h]
            if ref <= 0 or host_out_t[c, h] <= 0:
                continue
            circuits = (
                book.host_scaled
                & (book.country == c)
                & (book.mineral == b)
                & book.stage_mask(Stage.CONSTRUCTION, Stage.PRODUCTION)
            )
            have_t = book.capacity_t[circuits].sum() * host_out_t[c, h] / ref
            potential_t = rate[b] * host_out_t[c, h]
            gap_t = potential_t - have_t
            if gap_t < RECOVERY_MIN_GAP_FRAC * potential_t:
                continue
            owner = _largest_host_owner(book, c, h)
            cap_ref_t = gap_t * ref / host_out_t[c, h]  # capacity at the reference host output
            capex = v["projects.capex_years_of_revenue"] * gap_t * price[b]
            need = v["firms.equity_frac_of_capex"] * capex
            if owner < 0 or cash_usd[owner] < need:
                continue
            cash_usd[owner] -= need
            added.append(_add_circuit(v, book, c, b, owner, cap_ref_t, capex, price[b]))
    return np.array(added, dtype=int)


def _largest_host_owner(book: ProjectBook, c: int, h: int) -> int:
    """The private firm with the most producing capacity of host ``h`` in country ``c``."""
    sel = (book.country == c) & (book.mineral == h) & book.stage_mask(Stage.PRODUCTION)
    sel &= book.owner != STATE_OWNER
    if not sel.any():
        return -1
    owners = book.owner[sel]
    cap = np.bincount(owners, weights=book.capacity_t[sel])
    return int(np.argmax(cap))


def _add_circuit(
    v: dict[str, Any],
    book: ProjectBook,
    c: int,
    b: int,
    owner: int,
    capacity_t: float,
    capex_usd: float,
    price_usd_per_t: float,
) -> int:
    build = v["supply.recovery_build_months"]
    life = v["projects.mine_life_years"]
    idx = book.add(
        owner=np.array([owner]),
        country=c,
        mineral=b,
        stage=int(Stage.CONSTRUCTION),
        timer=build,
        held=0.0,
        capacity_t=capacity_t,
        unit_cost_usd_per_t=v["projects.unit_cost_frac_mean"] * price_usd_per_t,
        capex_usd=capex_usd,
        life_years=life,
        life_left_years=life,
        discovered_step=-1,  # not a discovery (kept out of lead-time cohorts)
        applied_step=-1,
        production_step=-1,
        build_months=build,
        concession_end_step=np.iinfo(np.int32).max,
        joint_venture=False,
        loss_months=0.0,
        idle=False,
        rate_reduction_frac=0.0,
        known=-1,
        host_scaled=True,
        primary=-1,
    )
    return int(idx[0])
